package io.forwardlock.sample;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the sample application's jar on the JDBC backend against a real PostgreSQL server,
 * started with the command line arguments the README gives.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SampleAppJdbcProcessIT {

	private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(120);

	private static EmbeddedPostgres postgres;

	@TempDir
	Path dir;

	@BeforeAll
	static void startDatabase() throws IOException {
		postgres = EmbeddedPostgres.builder().start();
	}

	@AfterAll
	static void stopDatabase() throws IOException {
		if (postgres != null) {
			postgres.close();
		}
	}

	@Test
	void instancesShareTheLockThroughTheDatabaseAndAStandbyTakesOverAfterACrash() throws Exception {
		String[] jdbc = { "--forward.lock.backend=jdbc",
				"--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
				"--spring.datasource.username=postgres", "--spring.datasource.password=unused",
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
	private static List<Long> holderRow() throws SQLException {
		try (Connection connection = postgres.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT pid, fencing_token FROM FORWARD_LOCK "
						+ "WHERE lock_name = 'forward-mcp' AND expires_at > clock_timestamp()")) {
			assertThat(rs.next()).as("live holder row").isTrue();
			return List.of(rs.getLong(1), rs.getLong(2));
		}
	}

	private static String[] concat(String[] args, String extra) {
		String[] all = Arrays.copyOf(args, args.length + 1);
		all[args.length] = extra;
		return all;
	}

}
