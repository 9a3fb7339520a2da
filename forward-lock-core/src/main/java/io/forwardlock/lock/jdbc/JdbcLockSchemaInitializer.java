package io.forwardlock.lock.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

/**
 * Creates the lock table of {@link JdbcLockBackend} when it does not exist yet, for
 * applications without Spring Boot (Spring Boot applications let its database
 * initialization run the same scripts). The script for the database is
 * {@link #SCHEMA_LOCATION} with {@link #PLATFORM_PLACEHOLDER} replaced by
 * {@code postgresql}, {@code mysql} (MySQL and MariaDB) or {@code h2}; migrations of your
 * own (Flyway, Liquibase) can copy it.
 * <p>
 * Every script holds one statement, {@code CREATE TABLE IF NOT EXISTS FORWARD_LOCK (},
 * followed by the columns, so running it again is harmless. When several instances start
 * at once and one of them loses the race to create the table, the table exists
 * afterwards, and that is all that counts.
 * <p>
 * <b>Another table name.</b> The name is written into the statement by position, not by
 * searching the SQL: the script must begin with exactly
 * {@code CREATE TABLE IF NOT EXISTS FORWARD_LOCK (} once its comment lines are dropped,
 * and only those words are replaced. The new name has passed
 * {@link JdbcLockBackend#validateTableName(String)}, so it is a plain identifier that
 * needs no quoting and cannot end the statement.
 */
public class JdbcLockSchemaInitializer {

	/**
	 * Placeholder for the database platform in {@link #SCHEMA_LOCATION}, as Spring Boot
	 * writes it.
	 */
	public static final String PLATFORM_PLACEHOLDER = "@@platform@@";

	/**
	 * Class path location of the schema scripts, one per database platform.
	 */
	public static final String SCHEMA_LOCATION = "io/forwardlock/lock/jdbc/schema-" + PLATFORM_PLACEHOLDER + ".sql";

	private static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS ";

	private final DataSource dataSource;

	private final String tableName;

	/**
	 * Create an initializer for the {@link JdbcLockBackend#DEFAULT_TABLE_NAME default
	 * table}.
	 * @param dataSource the application's data source
	 */
	public JdbcLockSchemaInitializer(DataSource dataSource) {
		this(dataSource, JdbcLockBackend.DEFAULT_TABLE_NAME);
	}

	/**
	 * Create a new instance.
	 * @param dataSource the application's data source
	 * @param tableName the lock table name
	 * @throws IllegalArgumentException when the table name is not a plain SQL identifier
	 */
	public JdbcLockSchemaInitializer(DataSource dataSource, String tableName) {
		this.dataSource = Objects.requireNonNull(dataSource, "'dataSource' must not be null");
		this.tableName = JdbcLockBackend.validateTableName(tableName);
	}

	/**
	 * Class path location of the schema script for one platform.
	 * @param platform the platform, such as {@code postgresql}
	 * @return the resource path
	 */
	static String scriptFor(String platform) {
		return SCHEMA_LOCATION.replace(PLATFORM_PLACEHOLDER, platform);
	}

	/**
	 * Create the lock table if it does not exist.
	 * @throws IllegalStateException when the table could not be created
	 */
	public void initialize() {
		String script = null;
		try (Connection connection = this.dataSource.getConnection()) {
			JdbcLockDialect dialect = JdbcLockDialect.forProductName(connection.getMetaData().getDatabaseProductName());
			script = dialect.schemaResource();
			String sql = createTable(load(script), this.tableName);
			try (Statement statement = connection.createStatement()) {
				statement.execute(sql);
			}
			catch (SQLException ex) {
				if (!connection.getAutoCommit()) {
					connection.rollback();
				}
				if (!tableExists(connection)) {
					throw ex;
				}
			}
			if (!connection.getAutoCommit()) {
				connection.commit();
			}
		}
		catch (SQLException | IOException ex) {
			throw new IllegalStateException("Failed to create the lock table " + this.tableName
					+ ((script != null) ? " with " + script : "") + ". Create it with your own migrations from that "
					+ "script in forward-lock's jar and stop creating it on start-up, or check that the database "
					+ "user may create tables", ex);
		}
	}

	/**
	 * The statement of a schema script for a table name.
	 * @param script the script, without comment lines
	 * @param tableName a name that passed {@link JdbcLockBackend#validateTableName}
	 * @return the statement
	 * @throws IllegalStateException when the script does not begin as every script of
	 * forward-lock does
	 */
	static String createTable(String script, String tableName) {
		String head = CREATE_TABLE + JdbcLockBackend.DEFAULT_TABLE_NAME + " (";
		if (!script.startsWith(head)) {
			throw new IllegalStateException("The schema script does not begin with '" + head + "'");
		}
		return CREATE_TABLE + tableName + " (" + script.substring(head.length());
	}

	private boolean tableExists(Connection connection) {
		try (Statement statement = connection.createStatement()) {
			statement.executeQuery("SELECT COUNT(*) FROM " + this.tableName + " WHERE 1 = 0").close();
			return true;
		}
		catch (SQLException ex) {
			return false;
		}
	}

	/**
	 * Read a script from the class path, without its comment lines.
	 * @param resource the resource path
	 * @return the script
	 * @throws IOException when it cannot be read
	 */
	static String load(String resource) throws IOException {
		try (@Nullable
		InputStream in = JdbcLockSchemaInitializer.class.getClassLoader().getResourceAsStream(resource)) {
			if (in == null) {
				throw new IOException("Schema script " + resource + " is missing from the classpath");
			}
			String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			return text.lines()
				.filter((line) -> !line.strip().startsWith("--"))
				.collect(Collectors.joining("\n"))
				.strip();
		}
	}

}
