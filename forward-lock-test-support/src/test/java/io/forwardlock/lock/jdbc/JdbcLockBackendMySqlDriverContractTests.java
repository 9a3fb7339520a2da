package io.forwardlock.lock.jdbc;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeAll;

import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.testsupport.ChildJvm;

/**
 * {@link JdbcLockBackendContractTests} through MySQL Connector/J, which reports the
 * database as "MySQL", against the real MariaDB server: the MySQL dialect as an
 * application written for MySQL runs it. No MySQL server runs here; MySQL 8 itself is
 * untested.
 */
class JdbcLockBackendMySqlDriverContractTests extends JdbcLockBackendContractTests {

	private static MariaDbTestDatabase database;

	private static DataSource dataSource;

	@BeforeAll
	static void startDatabase() {
		database = MariaDbTestDatabase.shared();
		dataSource = database.mysqlDataSource();
	}

	@Override
	protected DataSource dataSource() {
		return dataSource;
	}

	@Override
	protected ExternalHolder startExternalHolder(LockRequest request) throws Exception {
		return ExternalHolder.acquiredBy(ChildJvm.start(JdbcLockChildProcess.class, "hold", database.mysqlUrl(),
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
