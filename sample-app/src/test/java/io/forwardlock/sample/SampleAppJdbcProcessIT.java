package io.forwardlock.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
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

	@TempDir
	Path dir;

	private String url;

	private String username;

	private String now;

	@ParameterizedTest(name = "on {0}")
	@ValueSource(strings = { "PostgreSQL", "MariaDB" })
	void instancesShareTheLockThroughTheDatabaseAndAStandbyTakesOverAfterACrash(String database) throws Exception {
		try (AutoCloseable server = startDatabase(database)) {
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
								SampleAppProcess.withArgs(jdbc, "--forward.lock.standby=true"))) {
					assertThat(refused.awaitRefusalBy(first)).contains("Holder: PID " + first.pid() + " on ")
						.contains("Lock:   table FORWARD_LOCK, lock_name 'forward-mcp'")
						.contains("its lease runs out at most PT6S")
						.doesNotContain("lock file");
					standby.awaitStandby();
					// A crash releases nothing: the standby takes over when the lease
					// runs out
					first.crash();
					standby.awaitStarted();
					assertThat(holderRow()).containsExactly(standby.pid(), 2L);
					standby.stop();
					assertThat(standby.output()).contains("Released lock 'forward-mcp'");
				}
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
	 * Start the server, with an empty database.
	 */
	private AutoCloseable startDatabase(String database) throws Exception {
		if (database.equals("PostgreSQL")) {
			EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
			this.url = postgres.getJdbcUrl("postgres", "postgres");
			this.username = "postgres";
			this.now = "clock_timestamp()";
			return postgres;
		}
		SampleMariaDb mariaDb = SampleMariaDb.start(Files.createTempDirectory(this.dir, "mariadb"));
		this.url = mariaDb.jdbcUrl();
		this.username = "root";
		this.now = "UTC_TIMESTAMP(6)";
		return mariaDb;
	}

}
