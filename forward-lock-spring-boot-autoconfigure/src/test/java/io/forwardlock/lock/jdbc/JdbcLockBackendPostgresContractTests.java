package io.forwardlock.lock.jdbc;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link JdbcLockBackendContractTests} against a real PostgreSQL server, started once
 * for the class.
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
	protected String now() {
		return "clock_timestamp()";
	}

	@Override
	protected String interval(long millis) {
		return "INTERVAL '" + millis + " milliseconds'";
	}

}
