package io.forwardlock.autoconfigure;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.UUID;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.sql.init.DatabaseInitializationMode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardLockJdbcSchemaInitializer} and
 * {@link ForwardLockJdbcInitializationProperties}.
 */
@Timeout(60)
class ForwardLockJdbcSchemaInitializerTests {

	@TempDir
	Path dir;

	@Test
	void defaultValuesCreateTheTableFromTheCoresScriptsInEmbeddedDatabasesOnly() {
		ForwardLockJdbcInitializationProperties properties = new ForwardLockJdbcInitializationProperties();
		assertThat(properties.getInitializeSchema()).isEqualTo(DatabaseInitializationMode.EMBEDDED);
		assertThat(properties.getSchema()).isEqualTo("classpath:io/forwardlock/lock/jdbc/schema-@@platform@@.sql");
		assertThat(properties.getPlatform()).isNull();
		// Several instances may race to create the table; the loser finds it created
		assertThat(properties.isContinueOnError()).isTrue();
	}

	@Test
	void embeddedCreatesTheTableInAnInMemoryDatabase() throws SQLException {
		DataSource dataSource = h2("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		assertThat(initialize(dataSource, DatabaseInitializationMode.EMBEDDED)).isTrue();
		assertThat(tableExists(dataSource, "FORWARD_LOCK")).isTrue();
	}

	@Test
	void embeddedLeavesADatabaseOnDiskAlone() throws SQLException {
		DataSource dataSource = h2("jdbc:h2:file:" + this.dir.resolve("db"));
		assertThat(initialize(dataSource, DatabaseInitializationMode.EMBEDDED)).isFalse();
		assertThat(tableExists(dataSource, "FORWARD_LOCK")).isFalse();
	}

	@Test
	void alwaysCreatesTheTableInADatabaseOnDiskAndMayRunAgain() throws SQLException {
		DataSource dataSource = h2("jdbc:h2:file:" + this.dir.resolve("db"));
		assertThat(initialize(dataSource, DatabaseInitializationMode.ALWAYS)).isTrue();
		assertThat(initialize(dataSource, DatabaseInitializationMode.ALWAYS)).isTrue();
		assertThat(tableExists(dataSource, "FORWARD_LOCK")).isTrue();
	}

	@Test
	void neverLeavesEvenAnInMemoryDatabaseAlone() throws SQLException {
		DataSource dataSource = h2("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		assertThat(initialize(dataSource, DatabaseInitializationMode.NEVER)).isFalse();
		assertThat(tableExists(dataSource, "FORWARD_LOCK")).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "MariaDB", "MySQL" })
	void mariaDbAndMySqlShareTheMySqlScriptWhicheverDriverConnects(String productName) {
		assertThat(ForwardLockJdbcSchemaInitializer
			.getSettings(reportingProductName(productName), new ForwardLockJdbcInitializationProperties())
			.getSchemaLocations()).containsExactly("classpath:io/forwardlock/lock/jdbc/schema-mysql.sql");
	}

	@Test
	void platformOverridesTheDetectedDatabase() {
		ForwardLockJdbcInitializationProperties properties = new ForwardLockJdbcInitializationProperties();
		properties.setPlatform("postgresql");
		assertThat(
				ForwardLockJdbcSchemaInitializer.getSettings(h2("jdbc:h2:mem:unused"), properties).getSchemaLocations())
			.containsExactly("classpath:io/forwardlock/lock/jdbc/schema-postgresql.sql");
	}

	private static boolean initialize(DataSource dataSource, DatabaseInitializationMode mode) {
		ForwardLockJdbcInitializationProperties properties = new ForwardLockJdbcInitializationProperties();
		properties.setInitializeSchema(mode);
		return new ForwardLockJdbcSchemaInitializer(dataSource, properties).initializeDatabase();
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

	/**
	 * A data source whose connections report a database product, as a driver does, and
	 * nothing else.
	 */
	private static DataSource reportingProductName(String productName) {
		DatabaseMetaData metaData = proxy(DatabaseMetaData.class,
				(method) -> method.getName().equals("getDatabaseProductName") ? productName : null);
		Connection connection = proxy(Connection.class,
				(method) -> method.getName().equals("getMetaData") ? metaData : null);
		return proxy(DataSource.class, (method) -> method.getName().equals("getConnection") ? connection : null);
	}

	private static <T> T proxy(Class<T> type, java.util.function.Function<java.lang.reflect.Method, Object> answer) {
		return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type },
				(instance, method, arguments) -> answer.apply(method)));
	}

}
