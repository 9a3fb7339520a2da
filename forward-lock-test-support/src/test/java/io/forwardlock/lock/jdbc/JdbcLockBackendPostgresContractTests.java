package io.forwardlock.lock.jdbc;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.testsupport.ChildJvm;

/**
 * {@link JdbcLockBackendContractTests} against a real PostgreSQL server, started once for
 * the class. The external holder is a child JVM that renews its lease until it is killed
 * with SIGKILL.
 */
class JdbcLockBackendPostgresContractTests extends JdbcLockBackendContractTests {

	private static PostgresTestDatabase database;

	private static DataSource dataSource;

	@BeforeAll
	static void startDatabase() {
		database = PostgresTestDatabase.start();
		dataSource = database.dataSource();
	}

	@AfterAll
	static void stopDatabase() {
		if (database != null) {
			database.close();
		}
	}

	@Override
	protected DataSource dataSource() {
		return dataSource;
	}

	@Override
	protected ExternalHolder startExternalHolder(LockRequest request) throws Exception {
		return ExternalHolder.acquiredBy(ChildJvm.start(JdbcLockChildProcess.class, "hold", database.jdbcUrl(),
				request.name(), Long.toString(SHORT_LEASE.toMillis())));
	}

	@Override
	protected String now() {
		return "clock_timestamp()";
	}

	@Override
	protected String interval(long millis) {
		return "INTERVAL '" + millis + " milliseconds'";
	}

}
