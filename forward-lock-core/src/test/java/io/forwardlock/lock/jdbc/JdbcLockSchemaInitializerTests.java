package io.forwardlock.lock.jdbc;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link JdbcLockSchemaInitializer}. Creating tables on PostgreSQL and MariaDB
 * is covered by the JDBC contract tests of forward-lock-test-support.
 */
@Timeout(60)
class JdbcLockSchemaInitializerTests {

	@ParameterizedTest
	@EnumSource(JdbcLockDialect.class)
	void everyScriptIsOneCreateTableWhoseNameIsReplacedByPosition(JdbcLockDialect dialect) throws IOException {
		String script = JdbcLockSchemaInitializer.load(dialect.schemaResource());
		assertThat(script).startsWith("CREATE TABLE IF NOT EXISTS FORWARD_LOCK (").doesNotContain(";\n");
		String sql = JdbcLockSchemaInitializer.createTable(script, "locks.APP_LOCKS");
		assertThat(sql).startsWith("CREATE TABLE IF NOT EXISTS locks.APP_LOCKS (")
			.doesNotContain("FORWARD_LOCK")
			.endsWith(script.substring("CREATE TABLE IF NOT EXISTS FORWARD_LOCK (".length()));
	}

	@Test
	void aScriptThatDoesNotBeginAsExpectedIsNotRewritten() {
		assertThatIllegalStateException()
			.isThrownBy(() -> JdbcLockSchemaInitializer.createTable("DROP TABLE FORWARD_LOCK", "APP_LOCKS"))
			.withMessageContaining("CREATE TABLE IF NOT EXISTS FORWARD_LOCK (");
	}

	@Test
	void theSchemaLocationNamesThePlatformAsSpringBootDoes() {
		assertThat(JdbcLockSchemaInitializer.SCHEMA_LOCATION)
			.isEqualTo("io/forwardlock/lock/jdbc/schema-@@platform@@.sql");
		assertThat(JdbcLockSchemaInitializer.scriptFor("postgresql"))
			.isEqualTo("io/forwardlock/lock/jdbc/schema-postgresql.sql");
	}

	@Test
	void createsTheDefaultOrACustomTableAndMayRunTwice(@TempDir Path dir) throws SQLException {
		JdbcDataSource dataSource = h2("jdbc:h2:file:" + dir.resolve("db"));
		new JdbcLockSchemaInitializer(dataSource).initialize();
		new JdbcLockSchemaInitializer(dataSource).initialize();
		new JdbcLockSchemaInitializer(dataSource, "APP_LOCKS").initialize();
		assertThat(hasTable(dataSource, "FORWARD_LOCK")).isTrue();
		assertThat(hasTable(dataSource, "APP_LOCKS")).isTrue();
	}

	@Test
	void failureToCreateTheTableSaysHowToCreateItByHand(@TempDir Path dir) {
		JdbcLockSchemaInitializer initializer = new JdbcLockSchemaInitializer(
				h2("jdbc:h2:file:" + dir.resolve("none") + ";IFEXISTS=TRUE"), "FORWARD_LOCK");
		assertThatIllegalStateException().isThrownBy(initializer::initialize)
			.withMessageContaining("FORWARD_LOCK")
			.withMessageContaining("your own migrations");
	}

	private static boolean hasTable(JdbcDataSource dataSource, String table) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				ResultSet tables = connection.getMetaData().getTables(null, null, table, null)) {
			return tables.next();
		}
	}

	private static JdbcDataSource h2(String url) {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL(url);
		return dataSource;
	}

}
