package io.forwardlock.sample;

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
 * Runs the sample application's executable jar as real processes to show what happens
 * before the application context exists: the early probe that turns a duplicate away, and
 * the cold standby of {@code forward.lock.acquire-early}. The sample's defaults are used
 * (no heartbeat), as an operator who starts the jar twice would, and the heartbeat once.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SampleAppEarlyProcessIT {

	@TempDir
	Path dir;

	private Path lockFile;

	private SampleLedger ledger;

	private SampleLedger marker;

	private Map<String, String> environment;

	@BeforeEach
	void prepare() {
		this.lockFile = this.dir.resolve("forward-mcp.lock");
		this.ledger = new SampleLedger(this.dir.resolve("ledger.txt"));
		// A line per construction of the ledger job, with its PID: read the same way
		this.marker = new SampleLedger(this.dir.resolve("startup-marker.txt"));
		this.environment = Map.of("FORWARD_LOCK_DIR", this.dir.toString(), "SAMPLE_LEDGER_FILE",
				this.ledger.file().toString(), "SAMPLE_STARTUP_MARKER", this.marker.file().toString());
	}

	@Test
	void defaultDuplicateExits75BeforeCreatingAnyApplicationSingleton() throws Exception {
		try (SampleAppProcess holder = SampleAppProcess.start(this.environment).awaitStarted()) {
			assertThat(this.marker.pidRuns()).containsExactly(holder.pid());
			try (SampleAppProcess duplicate = SampleAppProcess.start(this.environment)) {
				assertThat(duplicate.awaitRefusalBy(holder)).contains("Lock:   " + this.lockFile)
					.contains("1. Stop the running instance first: kill " + holder.pid());
				// Turned away before the banner and the context: no singleton, no side
				// effect, no web server
				assertThat(duplicate.output()).doesNotContain(":: Spring Boot ::")
					.doesNotContain("Starting SampleApplication")
					.doesNotContain("Tomcat");
			}
			assertThat(this.marker.pidRuns()).containsExactly(holder.pid());
			// With the probe off, the duplicate is refused during the refresh, after its
			// singletons were created
			try (SampleAppProcess late = SampleAppProcess.start(this.environment, "--forward.lock.early-probe=false")) {
				assertThat(late.awaitExit()).isEqualTo(75);
				assertThat(late.output()).contains("Holder: PID " + holder.pid());
				assertThat(this.marker.pidRuns()).containsExactly(holder.pid(), late.pid());
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
				assertThat(duplicate.awaitRefusalBy(holder)).doesNotContain("Starting SampleApplication");
			}
			assertThat(this.marker.pidRuns()).containsExactly(holder.pid());
			assertThat(holder.isAlive()).isTrue();
		}
	}

	@Test
	void acquireEarlyStandbyWaitsColdAndTakesOverAfterTheHolderIsKilled() throws Exception {
		try (SampleAppProcess holder = SampleAppProcess.start(this.environment).awaitStarted()) {
			try (SampleAppProcess standby = SampleAppProcess.start(this.environment, "--forward.lock.standby=true",
					"--forward.lock.acquire-early=true")) {
				standby.awaitStandby();
				// logged by the wait's callback, right after the line that says it waits
				standby.awaitOutput("Standby is cold", Duration.ofSeconds(30));
				assertThat(standby.output()).contains("is held by PID " + holder.pid())
					.doesNotContain("Starting SampleApplication")
					.doesNotContain("Tomcat");
				this.ledger.awaitTicksOf(holder.pid(), 1);
				assertThat(this.marker.pidRuns()).containsExactly(holder.pid());
				holder.crash();
				standby.awaitStarted();
				assertThat(standby.output()).contains("Took over lock 'forward-mcp'");
				assertThat(this.marker.pidRuns()).containsExactly(holder.pid(), standby.pid());
				this.ledger.awaitTicksOf(standby.pid(), 1);
				// Never two at once: every tick of the holder comes before the first of
				// the standby
				assertThat(this.ledger.pidRuns()).containsExactly(holder.pid(), standby.pid());
			}
		}
	}

}
