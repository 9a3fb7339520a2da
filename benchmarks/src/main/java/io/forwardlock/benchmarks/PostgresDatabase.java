package io.forwardlock.benchmarks;

import java.io.IOException;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
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
		JdbcBenchmarkTables.create(this.dataSource, SHEDLOCK_TABLE, SPRING_INTEGRATION_SCHEMA);
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

}
