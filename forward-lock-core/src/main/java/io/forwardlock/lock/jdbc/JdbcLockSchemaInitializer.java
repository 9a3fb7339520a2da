package io.forwardlock.lock.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

import javax.sql.DataSource;

/**
 * Creates the lock table of {@link JdbcLockBackend} when it does not exist yet, from the
 * script for the database ({@code io/forwardlock/lock/jdbc/schema-<platform>.sql} in
 * forward-lock's jar), with the configured table name.
 * <p>
 * The script uses {@code CREATE TABLE IF NOT EXISTS}, so running it again is harmless.
 * When several instances start at once and one of them loses the race to create the
 * table, the table exists afterwards, and that is all that counts.
 */
public class JdbcLockSchemaInitializer {

	private static final String[] IN_MEMORY_URL_PREFIXES = { "jdbc:h2:mem:", "jdbc:hsqldb:mem:", "jdbc:derby:memory:" };

	private final DataSource dataSource;

	private final String tableName;

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
	 * Create the lock table if it does not exist.
	 * @throws IllegalStateException when the table could not be created
	 */
	public void initialize() {
		String script = null;
		try (Connection connection = this.dataSource.getConnection()) {
			JdbcLockDialect dialect = JdbcLockDialect.forProductName(connection.getMetaData().getDatabaseProductName());
			script = dialect.schemaResource();
			String sql = load(script).replaceAll("\\bFORWARD_LOCK\\b", this.tableName);
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
					+ "script in forward-lock's jar and set forward.lock.jdbc.initialize-schema=never, or check that "
					+ "the database user may create tables", ex);
		}
	}

	/**
	 * Whether a JDBC URL names a database in the JVM's own memory.
	 * @param url the URL, may be {@code null}
	 * @return whether it is in memory
	 */
	static boolean isInMemoryUrl(String url) {
		if (url == null) {
			return false;
		}
		String lower = url.toLowerCase(Locale.ROOT);
		for (String prefix : IN_MEMORY_URL_PREFIXES) {
			if (lower.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether the data source is an in-memory embedded database (H2, HSQLDB or Derby in
	 * memory), which is what {@code initialize-schema=embedded} initializes. A file-based
	 * H2 database does not count, as in Spring Boot's own JDBC integrations.
	 * @param dataSource the data source
	 * @return whether it is an in-memory embedded database
	 */
	public static boolean isEmbedded(DataSource dataSource) {
		try (Connection connection = dataSource.getConnection()) {
			String url = connection.getMetaData().getURL();
			if (url == null) {
				return false;
			}
			String lower = url.toLowerCase(Locale.ROOT);
			for (String prefix : IN_MEMORY_URL_PREFIXES) {
				if (lower.startsWith(prefix)) {
					return true;
				}
			}
			return false;
		}
		catch (SQLException ex) {
			return false;
		}
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

	private static String load(String resource) throws IOException {
		try (InputStream in = JdbcLockSchemaInitializer.class.getClassLoader().getResourceAsStream(resource)) {
			if (in == null) {
				throw new IOException("Schema script " + resource + " is missing from the classpath");
			}
			String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			return text.lines().filter((line) -> !line.strip().startsWith("--")).collect(Collectors.joining("\n"));
		}
	}

}
