package io.forwardlock.autoconfigure;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.autoconfigure.ForwardLockProperties.InitializeSchema;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardLockJdbcSchemaInitializer}.
 */
class ForwardLockJdbcSchemaInitializerTests {

	@TempDir
	Path dir;

	@Test
	void embeddedCreatesTheTableInAnInMemoryDatabase() throws SQLException {
		DataSource dataSource = h2("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		assertThat(initialize(dataSource, InitializeSchema.EMBEDDED)).isTrue();
		assertThat(tableExists(dataSource, "FORWARD_LOCK")).isTrue();
	}

	@Test
	void embeddedLeavesADatabaseOnDiskAlone() throws SQLException {
		DataSource dataSource = h2("jdbc:h2:file:" + this.dir.resolve("db"));
		assertThat(initialize(dataSource, InitializeSchema.EMBEDDED)).isFalse();
		assertThat(tableExists(dataSource, "FORWARD_LOCK")).isFalse();
	}

	@Test
	void alwaysCreatesTheTableInADatabaseOnDisk() throws SQLException {
		DataSource dataSource = h2("jdbc:h2:file:" + this.dir.resolve("db"));
		assertThat(initialize(dataSource, InitializeSchema.ALWAYS)).isTrue();
		assertThat(tableExists(dataSource, "FORWARD_LOCK")).isTrue();
	}

	@Test
	void neverLeavesEvenAnInMemoryDatabaseAlone() throws SQLException {
		DataSource dataSource = h2("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		assertThat(initialize(dataSource, InitializeSchema.NEVER)).isFalse();
		assertThat(tableExists(dataSource, "FORWARD_LOCK")).isFalse();
	}

	private static boolean initialize(DataSource dataSource, InitializeSchema mode) {
		ForwardLockJdbcSchemaInitializer initializer = new ForwardLockJdbcSchemaInitializer(dataSource, "FORWARD_LOCK",
				mode);
		initializer.afterPropertiesSet();
		return initializer.isInitialized();
	}

	private static boolean tableExists(DataSource dataSource, String table) throws SQLException {
		try (Connection connection = dataSource.getConnection()) {
			return connection.getMetaData().getTables(null, null, table, null).next();
		}
	}

	private static DataSource h2(String url) {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL(url);
		return dataSource;
	}

}
