package io.forwardlock.lock.jdbc;

import java.nio.file.Path;
import java.util.UUID;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link JdbcLockBackendContractTests} against an H2 database in a file: the backend
 * refuses an in-memory one, which no other JVM could share.
 */
class JdbcLockBackendH2ContractTests extends JdbcLockBackendContractTests {

	@TempDir
	static Path directory;

	private static JdbcDataSource dataSource;

	@BeforeAll
	static void createDatabase() {
		dataSource = new JdbcDataSource();
		dataSource
			.setURL("jdbc:h2:file:" + directory.resolve("forward-lock-" + UUID.randomUUID()) + ";DB_CLOSE_DELAY=-1");
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
