package io.forwardlock.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import io.forwardlock.lock.jdbc.JdbcLockBackend;
import io.forwardlock.lock.jdbc.JdbcLockSchemaInitializer;

/**
 * The lock tables of forward-lock, Spring Integration and ShedLock, created in the
 * database of a benchmark fork ({@link PostgresDatabase}, {@link MariaDbDatabase}).
 */
final class JdbcBenchmarkTables {

	private JdbcBenchmarkTables() {
	}

	/**
	 * Create the three lock tables.
	 * @param dataSource the database
	 * @param shedLockTable ShedLock's {@code CREATE TABLE} for this engine
	 * @param springIntegrationSchema Spring Integration's script for this engine, on the
	 * class path
	 */
	static void create(DataSource dataSource, String shedLockTable, String springIntegrationSchema)
			throws IOException, SQLException {
		new JdbcLockSchemaInitializer(dataSource, JdbcLockBackend.DEFAULT_TABLE_NAME).initialize();
		execute(dataSource, shedLockTable);
		execute(dataSource, springIntegrationLockTable(springIntegrationSchema));
	}

	private static void execute(DataSource dataSource, String sql) throws SQLException {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	// Spring Integration ships one script for all its tables; only the lock table is
	// needed.
	private static String springIntegrationLockTable(String schema) throws IOException {
		try (InputStream in = JdbcBenchmarkTables.class.getResourceAsStream(schema)) {
			if (in == null) {
				throw new IllegalStateException(schema + " is missing from the class path");
			}
			String script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			int start = script.indexOf("CREATE TABLE INT_LOCK");
			if (start < 0) {
				throw new IllegalStateException("No INT_LOCK table in " + schema);
			}
			return script.substring(start, script.indexOf(';', start));
		}
	}

}
