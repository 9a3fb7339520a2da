package io.forwardlock.lock.jdbc;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeAll;

import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.testsupport.ChildJvm;

/**
 * {@link JdbcLockBackendContractTests} against a real MariaDB server through MariaDB
 * Connector/J. The external holder is a child JVM that renews its lease until it is
 * killed with SIGKILL.
 */
class JdbcLockBackendMariaDbContractTests extends JdbcLockBackendContractTests {

	private static MariaDbTestDatabase database;

	private static DataSource dataSource;

	@BeforeAll
	static void startDatabase() {
		database = MariaDbTestDatabase.shared();
		dataSource = database.dataSource();
	}

	@Override
	protected DataSource dataSource() {
		return dataSource;
	}

	@Override
	protected ExternalHolder startExternalHolder(LockRequest request) throws Exception {
		return ExternalHolder.acquiredBy(ChildJvm.start(JdbcLockChildProcess.class, "hold", database.mariaDbUrl(),
				request.name(), Long.toString(SHORT_LEASE.toMillis())));
	}

	@Override
	protected String now() {
		return "UTC_TIMESTAMP(6)";
	}

	@Override
	protected String interval(long millis) {
		return "INTERVAL " + (millis * 1000) + " MICROSECOND";
	}

}
