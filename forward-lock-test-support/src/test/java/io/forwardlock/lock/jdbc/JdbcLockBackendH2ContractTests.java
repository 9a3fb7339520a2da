package io.forwardlock.lock.jdbc;

import java.util.UUID;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link JdbcLockBackendContractTests} against an in-memory H2 database.
 */
class JdbcLockBackendH2ContractTests extends JdbcLockBackendContractTests {

	private static JdbcDataSource dataSource;

	@BeforeAll
	static void createDatabase() {
		dataSource = new JdbcDataSource();
		dataSource.setURL("jdbc:h2:mem:forward-lock-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		new JdbcLockSchemaInitializer(dataSource, JdbcLockBackend.DEFAULT_TABLE_NAME).initialize();
	}

	@Override
	protected DataSource dataSource() {
		return dataSource;
	}

	@Override
	protected String now() {
		return "CURRENT_TIMESTAMP";
	}

	@Override
	protected String interval(long millis) {
		return "INTERVAL '" + (millis / 1000) + "." + String.format("%03d", millis % 1000) + "' SECOND";
	}

}
