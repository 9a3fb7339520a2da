package io.forwardlock.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
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
 * Runs the sample application's executable jar as real processes that share a lock
 * directory, the way an operator would start them.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SampleAppProcessIT {

	private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(120);

	@TempDir
	Path dir;

	private Path lockFile;

	private Path ledger;

	private Map<String, String> environment;

	@BeforeEach
	void prepare() {
		this.lockFile = this.dir.resolve("forward-mcp.lock");
		this.ledger = this.dir.resolve("ledger.txt");
		// Environment variables, bound through relaxed binding
		this.environment = Map.of("FORWARD_LOCK_DIR", this.dir.toString(), "FORWARD_LOCK_HEARTBEAT_ENABLED", "true",
				"FORWARD_LOCK_HEARTBEAT_INTERVAL", "2s", "FORWARD_LOCK_STALE_TIMEOUT", "9s", "SAMPLE_LEDGER_FILE",
				this.ledger.toString());
	}

	@Test
	void secondInstanceExitsWith75NamingTheHolderAndSigtermReleasesTheLock() throws Exception {
		try (SampleAppProcess first = SampleAppProcess.start(this.environment).awaitStarted()) {
			assertThat(first.output()).contains("Acquired lock 'forward-mcp' at " + this.lockFile)
				.contains("heartbeat every PT2S, stale after PT9S");
			assertThat(Files.readString(this.lockFile).trim()).isEqualTo(Long.toString(first.pid()));
			try (SampleAppProcess second = SampleAppProcess.start(this.environment)) {
				assertThat(second.awaitExit(EXIT_TIMEOUT)).isEqualTo(75);
				assertThat(second.output()).contains("APPLICATION FAILED TO START")
					.contains("Holder: PID " + first.pid())
					.contains("Lock:   " + this.lockFile)
					.contains("Possible solutions:")
					.contains("1. Stop the running instance first: kill " + first.pid())
					.contains("forward.lock.standby=true");
				assertNoStackTrace(second.output());
				assertThat(second.output()).doesNotContain("Tomcat started").doesNotContain("Ledger job");
				assertThat(ledgerPids()).doesNotContain(second.pid());
			}
			first.terminate();
			first.awaitExit(EXIT_TIMEOUT);
			assertThat(first.output()).contains("Released lock 'forward-mcp'");
			assertThat(this.lockFile).doesNotExist();
		}
	}

	@Test
	void afterKillDashNineANewInstanceStartsAtOnce() throws Exception {
		try (SampleAppProcess first = SampleAppProcess.start(this.environment).awaitStarted()) {
			first.kill();
			first.awaitExit(EXIT_TIMEOUT);
			// The crash left the lock file behind; it must not block the next start
			assertThat(this.lockFile).exists();
		}
		try (SampleAppProcess next = SampleAppProcess.start(this.environment).awaitStarted()) {
			assertThat(next.output()).contains("Acquired lock 'forward-mcp'").doesNotContain("attempt");
			assertThat(Files.readString(this.lockFile).trim()).isEqualTo(Long.toString(next.pid()));
			await().atMost(Duration.ofSeconds(60)).until(() -> ledgerPids().contains(next.pid()));
		}
	}

	@Test
	void standbyEndsOnSigtermWithoutStartingAndTakesOverWhenTheHolderDies() throws Exception {
		try (SampleAppProcess holder = SampleAppProcess.start(this.environment).awaitStarted()) {
			try (SampleAppProcess quitter = SampleAppProcess.start(this.environment, "--forward.lock.standby=true")) {
				quitter.awaitOutput("waiting on standby", SampleAppProcess.START_TIMEOUT);
				quitter.terminate();
				quitter.awaitExit(Duration.ofSeconds(20));
				assertThat(quitter.output()).doesNotContain("Tomcat started").doesNotContain("Ledger job");
			}
			try (SampleAppProcess standby = SampleAppProcess.start(this.environment, "--forward.lock.standby=true")) {
				standby.awaitOutput("waiting on standby", SampleAppProcess.START_TIMEOUT);
				assertThat(standby.output()).containsOnlyOnce("waiting on standby")
					.contains("is held by PID " + holder.pid());
				holder.kill();
				standby.awaitStarted();
				assertThat(standby.output()).contains("Took over lock 'forward-mcp'");
				await().atMost(Duration.ofSeconds(60)).until(() -> ledgerPids().contains(standby.pid()));
				assertThat(holder.isAlive()).isFalse();
			}
		}
	}

	@Test
	void acquireEarlyKeepsARefusedInstanceFromRunningStartupSideEffects() throws Exception {
		Path marker = this.dir.resolve("startup-marker.txt");
		try (SampleAppProcess holder = SampleAppProcess.start(this.environment).awaitStarted()) {
			try (SampleAppProcess early = SampleAppProcess.start(this.environment, "--forward.lock.acquire-early=true",
					"--sample.startup-marker=" + marker)) {
				assertThat(early.awaitExit(EXIT_TIMEOUT)).isEqualTo(75);
				assertThat(early.output()).contains("Holder: PID " + holder.pid());
				assertNoStackTrace(early.output());
			}
			assertThat(marker).doesNotExist();
			// Refused only during the refresh (no early acquisition, and the early probe
			// turned off), an instance does construct its singletons
			try (SampleAppProcess late = SampleAppProcess.start(this.environment, "--forward.lock.early-probe=false",
					"--sample.startup-marker=" + marker)) {
				assertThat(late.awaitExit(EXIT_TIMEOUT)).isEqualTo(75);
				assertThat(Files.readString(marker)).contains("pid=" + late.pid());
			}
		}
	}

	@Test
	void holderThatLostItsLockToAStandbyExitsWith76() throws Exception {
		String[] fastHeartbeat = { "--forward.lock.heartbeat.enabled=true", "--forward.lock.heartbeat.interval=500ms",
				"--forward.lock.stale-timeout=3s", "--forward.lock.verify-interval=500ms" };
		try (SampleAppProcess holder = SampleAppProcess.start(this.environment, fastHeartbeat).awaitStarted()) {
			String[] standbyArgs = Arrays.copyOf(fastHeartbeat, fastHeartbeat.length + 1);
			standbyArgs[fastHeartbeat.length] = "--forward.lock.standby=true";
			try (SampleAppProcess standby = SampleAppProcess.start(this.environment, standbyArgs)) {
				standby.awaitOutput("waiting on standby", SampleAppProcess.START_TIMEOUT);
				// A hung holder: its heartbeat goes stale, and the standby takes over
				signal("STOP", holder.pid());
				try {
					standby.awaitStarted();
				}
				finally {
					signal("CONT", holder.pid());
				}
				assertThat(holder.awaitExit(EXIT_TIMEOUT)).isEqualTo(76);
				assertThat(holder.output()).contains("LOCK_LOST")
					.contains("Shutting down because lock 'forward-mcp' was lost");
				assertNoStackTrace(holder.output());
				assertThat(standby.isAlive()).isTrue();
				assertThat(Files.readString(this.lockFile).trim()).isEqualTo(Long.toString(standby.pid()));
			}
		}
	}

	private static void signal(String signal, long pid) throws Exception {
		Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
		assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(kill.exitValue()).isZero();
	}

	private List<Long> ledgerPids() throws Exception {
		if (!Files.exists(this.ledger)) {
			return List.of();
		}
		return Files.readAllLines(this.ledger)
			.stream()
			.map((line) -> line.replaceAll(".* pid=(\\d+) .*", "$1"))
			.map(Long::valueOf)
			.distinct()
			.toList();
	}

	private static void assertNoStackTrace(String output) {
		assertThat(output).doesNotContainPattern("(?m)^\\s+at [\\w.$]+\\(")
			.doesNotContain("Exception in thread")
			.doesNotContain("Caused by:");
	}

}
