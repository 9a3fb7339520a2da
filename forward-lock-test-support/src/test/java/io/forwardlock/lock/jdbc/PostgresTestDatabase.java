package io.forwardlock.lock.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server started by a test, on a data directory and port that survive a
 * stop, so that a test can take the database away and bring it back.
 */
final class PostgresTestDatabase implements AutoCloseable {

	private final Path dataDirectory;

	private EmbeddedPostgres postgres;

	private int port;

	private PostgresTestDatabase(Path dataDirectory) {
		this.dataDirectory = dataDirectory;
	}

	/**
	 * Start a new server on a fresh data directory with the lock table created.
	 * @return the running database
	 */
	static PostgresTestDatabase start() {
		try {
			PostgresTestDatabase database = new PostgresTestDatabase(Files.createTempDirectory("forward-lock-pg"));
			database.postgres = EmbeddedPostgres.builder()
				.setDataDirectory(database.dataDirectory)
				.setCleanDataDirectory(false)
				.start();
			database.port = database.postgres.getPort();
			new JdbcLockSchemaInitializer(database.dataSource(), JdbcLockBackend.DEFAULT_TABLE_NAME).initialize();
			return database;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Data source that opens a new connection per call and keeps working across a
	 * restart.
	 * @return the data source
	 */
	DataSource dataSource() {
		org.postgresql.ds.PGSimpleDataSource dataSource = new org.postgresql.ds.PGSimpleDataSource();
		dataSource.setUrl(jdbcUrl());
		dataSource.setUser("postgres");
		dataSource.setConnectTimeout(5);
		return dataSource;
	}

	String jdbcUrl() {
		return "jdbc:postgresql://localhost:" + this.port + "/postgres";
	}

	/**
	 * Stop the server, keeping its data directory.
	 */
	void stop() {
		try {
			if (this.postgres != null) {
				this.postgres.close();
				this.postgres = null;
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Start the server again on the same data directory and port.
	 */
	void restart() {
		try {
			this.postgres = EmbeddedPostgres.builder()
				.setDataDirectory(this.dataDirectory)
				.setCleanDataDirectory(false)
				.setPort(this.port)
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		stop();
		try (var paths = Files.walk(this.dataDirectory)) {
			paths.sorted(java.util.Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// A leftover temporary directory is harmless.
		}
	}

}
