package io.forwardlock.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.forwardlock.lock.jdbc.JdbcLockBackend;
import io.forwardlock.lock.jdbc.JdbcLockSchemaInitializer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One embedded PostgreSQL server per benchmark fork, with the lock tables of
 * forward-lock, Spring Integration and ShedLock, all reached through the same kind of
 * connection pool so that the libraries, not the pools, are compared.
 */
@State(Scope.Benchmark)
public class PostgresDatabase {

	private static final String SHEDLOCK_TABLE = """
			CREATE TABLE shedlock (
				name VARCHAR(64) NOT NULL PRIMARY KEY,
				lock_until TIMESTAMP NOT NULL,
				locked_at TIMESTAMP NOT NULL,
				locked_by VARCHAR(255) NOT NULL
			)""";

	private static final String SPRING_INTEGRATION_SCHEMA = "/org/springframework/integration/jdbc/schema-postgresql.sql";

	private EmbeddedPostgres postgres;

	private HikariDataSource dataSource;

	@Setup(Level.Trial)
	public void start() throws IOException, SQLException {
		this.postgres = EmbeddedPostgres.builder().start();
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(this.postgres.getJdbcUrl("postgres", "postgres"));
		config.setMaximumPoolSize(4);
		config.setPoolName("benchmark");
		this.dataSource = new HikariDataSource(config);
		new JdbcLockSchemaInitializer(this.dataSource, JdbcLockBackend.DEFAULT_TABLE_NAME).initialize();
		execute(SHEDLOCK_TABLE);
		execute(springIntegrationLockTable());
	}

	@TearDown(Level.Trial)
	public void stop() throws IOException {
		try {
			this.dataSource.close();
		}
		finally {
			this.postgres.close();
		}
	}

	DataSource dataSource() {
		return this.dataSource;
	}

	String jdbcUrl() {
		return this.postgres.getJdbcUrl("postgres", "postgres");
	}

	private void execute(String sql) throws SQLException {
		try (Connection connection = this.dataSource.getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	// Spring Integration ships one script for all its tables; only the lock table is
	// needed.
	private static String springIntegrationLockTable() throws IOException {
		try (InputStream in = PostgresDatabase.class.getResourceAsStream(SPRING_INTEGRATION_SCHEMA)) {
			if (in == null) {
				throw new IllegalStateException(SPRING_INTEGRATION_SCHEMA + " is missing from the class path");
			}
			String script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			int start = script.indexOf("CREATE TABLE INT_LOCK");
			if (start < 0) {
				throw new IllegalStateException("No INT_LOCK table in " + SPRING_INTEGRATION_SCHEMA);
			}
			return script.substring(start, script.indexOf(';', start));
		}
	}

}
