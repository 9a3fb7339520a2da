package io.forwardlock.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs the sample application's executable jar as real processes to show what happens
 * before the application context exists: the early probe that turns a duplicate away, and
 * the cold standby of {@code forward.lock.acquire-early}. The sample's defaults are used
 * (no heartbeat), as an operator who starts the jar twice would, and the heartbeat once.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SampleAppEarlyProcessIT {

	private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(120);

	@TempDir
	Path dir;

	private Path lockFile;

	private Path ledger;

	private Path marker;

	private Map<String, String> environment;

	@BeforeEach
	void prepare() {
		this.lockFile = this.dir.resolve("forward-mcp.lock");
		this.ledger = this.dir.resolve("ledger.txt");
		this.marker = this.dir.resolve("startup-marker.txt");
		this.environment = Map.of("FORWARD_LOCK_DIR", this.dir.toString(), "SAMPLE_LEDGER_FILE", this.ledger.toString(),
				"SAMPLE_STARTUP_MARKER", this.marker.toString());
	}

	@Test
	void defaultDuplicateExits75BeforeCreatingAnyApplicationSingleton() throws Exception {
		try (SampleAppProcess holder = SampleAppProcess.start(this.environment).awaitStarted()) {
			assertThat(markerPids()).containsExactly(holder.pid());
			try (SampleAppProcess duplicate = SampleAppProcess.start(this.environment)) {
				assertThat(duplicate.awaitExit(EXIT_TIMEOUT)).isEqualTo(75);
				assertThat(duplicate.output()).contains("APPLICATION FAILED TO START")
					.contains("Holder: PID " + holder.pid())
					.contains("Lock:   " + this.lockFile)
					.contains("1. Stop the running instance first: kill " + holder.pid());
				assertNoStackTrace(duplicate.output());
				// Turned away before the banner and the context: no singleton, no side
				// effect, no web server
				assertThat(duplicate.output()).doesNotContain(":: Spring Boot ::")
					.doesNotContain("Starting SampleApplication")
					.doesNotContain("Tomcat");
			}
			assertThat(markerPids()).containsExactly(holder.pid());
			// With the probe off, the duplicate is refused during the refresh, after its
			// singletons were created
			try (SampleAppProcess late = SampleAppProcess.start(this.environment, "--forward.lock.early-probe=false")) {
				assertThat(late.awaitExit(EXIT_TIMEOUT)).isEqualTo(75);
				assertThat(late.output()).contains("Holder: PID " + holder.pid());
				assertThat(markerPids()).containsExactly(holder.pid(), late.pid());
			}
			assertThat(holder.isAlive()).isTrue();
		}
	}

	@Test
	void duplicateWithTheHeartbeatOnIsRefusedEarlyWhileTheHolderHeartbeats() throws Exception {
		String[] heartbeat = { "--forward.lock.heartbeat.enabled=true", "--forward.lock.heartbeat.interval=1s",
				"--forward.lock.stale-timeout=5s" };
		try (SampleAppProcess holder = SampleAppProcess.start(this.environment, heartbeat).awaitStarted()) {
			try (SampleAppProcess duplicate = SampleAppProcess.start(this.environment, heartbeat)) {
				assertThat(duplicate.awaitExit(EXIT_TIMEOUT)).isEqualTo(75);
				assertThat(duplicate.output()).contains("APPLICATION FAILED TO START")
					.contains("Holder: PID " + holder.pid())
					.doesNotContain("Starting SampleApplication");
				assertNoStackTrace(duplicate.output());
			}
			assertThat(markerPids()).containsExactly(holder.pid());
			assertThat(holder.isAlive()).isTrue();
		}
	}

	@Test
	void acquireEarlyStandbyWaitsColdAndTakesOverAfterTheHolderIsKilled() throws Exception {
		try (SampleAppProcess holder = SampleAppProcess.start(this.environment).awaitStarted()) {
			try (SampleAppProcess standby = SampleAppProcess.start(this.environment, "--forward.lock.standby=true",
					"--forward.lock.acquire-early=true")) {
				standby.awaitOutput("waiting on standby", SampleAppProcess.START_TIMEOUT);
				assertThat(standby.output()).contains("is held by PID " + holder.pid())
					.contains("Standby is cold")
					.doesNotContain("Starting SampleApplication")
					.doesNotContain("Tomcat");
				await().atMost(Duration.ofSeconds(30)).until(() -> ledgerPids().contains(holder.pid()));
				assertThat(markerPids()).containsExactly(holder.pid());
				holder.kill();
				holder.awaitExit(EXIT_TIMEOUT);
				standby.awaitStarted();
				assertThat(standby.output()).contains("Took over lock 'forward-mcp'");
				assertThat(markerPids()).containsExactly(holder.pid(), standby.pid());
				await().atMost(Duration.ofSeconds(60)).until(() -> ledgerPids().contains(standby.pid()));
				// Never two at once: every tick of the holder comes before the first of
				// the standby
				assertThat(ledgerPids()).containsExactly(holder.pid(), standby.pid());
			}
		}
	}

	private List<Long> markerPids() throws Exception {
		return pids(this.marker);
	}

	private List<Long> ledgerPids() throws Exception {
		return pids(this.ledger);
	}

	/**
	 * PIDs in the order of their first line; a PID that came back after another would
	 * appear twice.
	 */
	private static List<Long> pids(Path file) throws Exception {
		if (!Files.exists(file)) {
			return List.of();
		}
		List<Long> inOrder = new ArrayList<>();
		for (String line : Files.readAllLines(file)) {
			long pid = Long.parseLong(line.replaceAll(".*pid=(\\d+).*", "$1"));
			if (inOrder.isEmpty() || inOrder.get(inOrder.size() - 1) != pid) {
				inOrder.add(pid);
			}
		}
		return inOrder;
	}

	private static void assertNoStackTrace(String output) {
		assertThat(output).doesNotContainPattern("(?m)^\\s+at [\\w.$]+\\(")
			.doesNotContain("Exception in thread")
			.doesNotContain("Caused by:");
	}

}
