package io.forwardlock.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the sample application's executable jar as real processes that share a lock
 * directory, the way an operator would start them.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SampleAppProcessIT {

	@TempDir
	Path dir;

	private Path lockFile;

	private SampleLedger ledger;

	private Map<String, String> environment;

	@BeforeEach
	void prepare() {
		this.lockFile = this.dir.resolve("forward-mcp.lock");
		this.ledger = new SampleLedger(this.dir.resolve("ledger.txt"));
		// Environment variables, bound through relaxed binding
		this.environment = Map.of("FORWARD_LOCK_DIR", this.dir.toString(), "FORWARD_LOCK_HEARTBEAT_ENABLED", "true",
				"FORWARD_LOCK_HEARTBEAT_INTERVAL", "2s", "FORWARD_LOCK_STALE_TIMEOUT", "9s", "SAMPLE_LEDGER_FILE",
				this.ledger.file().toString());
	}

	@Test
	void secondInstanceExitsWith75NamingTheHolderAndSigtermReleasesTheLock() throws Exception {
		try (SampleAppProcess first = SampleAppProcess.start(this.environment).awaitStarted()) {
			assertThat(first.output()).contains("Acquired lock 'forward-mcp' at " + this.lockFile)
				.contains("heartbeat every PT2S, stale after PT9S");
			assertThat(Files.readString(this.lockFile).trim()).isEqualTo(Long.toString(first.pid()));
			try (SampleAppProcess second = SampleAppProcess.start(this.environment)) {
				assertThat(second.awaitRefusalBy(first)).contains("Lock:   " + this.lockFile)
					.contains("Possible solutions:")
					.contains("1. Stop the running instance first: kill " + first.pid())
					.contains("forward.lock.standby=true");
				assertThat(second.output()).doesNotContain("Ledger job");
				assertThat(this.ledger.pidRuns()).doesNotContain(second.pid());
			}
			first.stop();
			assertThat(first.output()).contains("Released lock 'forward-mcp'");
			assertThat(this.lockFile).doesNotExist();
		}
	}

	@Test
	void afterKillDashNineANewInstanceStartsAtOnce() throws Exception {
		try (SampleAppProcess first = SampleAppProcess.start(this.environment).awaitStarted()) {
			first.crash();
			// The crash left the lock file behind; it must not block the next start
			assertThat(this.lockFile).exists();
		}
		try (SampleAppProcess next = SampleAppProcess.start(this.environment).awaitStarted()) {
			assertThat(next.output()).contains("Acquired lock 'forward-mcp'").doesNotContain("attempt");
			assertThat(Files.readString(this.lockFile).trim()).isEqualTo(Long.toString(next.pid()));
			this.ledger.awaitTicksOf(next.pid(), 1);
		}
	}

	@Test
	void standbyEndsOnSigtermWithoutStartingAndTakesOverWhenTheHolderDies() throws Exception {
		try (SampleAppProcess holder = SampleAppProcess.start(this.environment).awaitStarted()) {
			try (SampleAppProcess quitter = SampleAppProcess.start(this.environment, "--forward.lock.standby=true")) {
				quitter.awaitStandby();
				quitter.terminate();
				quitter.awaitExit(Duration.ofSeconds(20));
				assertThat(quitter.output()).doesNotContain("Tomcat started").doesNotContain("Ledger job");
			}
			try (SampleAppProcess standby = SampleAppProcess.start(this.environment, "--forward.lock.standby=true")) {
				standby.awaitStandby();
				assertThat(standby.output()).containsOnlyOnce("waiting on standby")
					.contains("is held by PID " + holder.pid());
				holder.kill();
				standby.awaitStarted();
				assertThat(standby.output()).contains("Took over lock 'forward-mcp'");
				this.ledger.awaitTicksOf(standby.pid(), 1);
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
				assertThat(early.awaitExit()).isEqualTo(75);
				assertThat(early.output()).contains("Holder: PID " + holder.pid());
				early.assertNoStackTrace();
			}
			assertThat(marker).doesNotExist();
			// Refused only during the refresh (no early acquisition, and the early probe
			// turned off), an instance does construct its singletons
			try (SampleAppProcess late = SampleAppProcess.start(this.environment, "--forward.lock.early-probe=false",
					"--sample.startup-marker=" + marker)) {
				assertThat(late.awaitExit()).isEqualTo(75);
				assertThat(Files.readString(marker)).contains("pid=" + late.pid());
			}
		}
	}

	@Test
	void holderThatLostItsLockToAStandbyExitsWith76() throws Exception {
		String[] fastHeartbeat = { "--forward.lock.heartbeat.enabled=true", "--forward.lock.heartbeat.interval=500ms",
				"--forward.lock.stale-timeout=3s", "--forward.lock.verify-interval=500ms" };
		try (SampleAppProcess holder = SampleAppProcess.start(this.environment, fastHeartbeat).awaitStarted()) {
			try (SampleAppProcess standby = SampleAppProcess.start(this.environment,
					SampleAppProcess.withArgs(fastHeartbeat, "--forward.lock.standby=true"))) {
				standby.awaitStandby();
				// A hung holder: its heartbeat goes stale, and the standby takes over
				holder.pause();
				try {
					standby.awaitStarted();
				}
				finally {
					holder.resume();
				}
				assertThat(holder.awaitExit()).isEqualTo(76);
				assertThat(holder.output()).contains("LOCK_LOST")
					.contains("Shutting down because lock 'forward-mcp' was lost");
				holder.assertNoStackTrace();
				assertThat(standby.isAlive()).isTrue();
				assertThat(Files.readString(this.lockFile).trim()).isEqualTo(Long.toString(standby.pid()));
			}
		}
	}

}
