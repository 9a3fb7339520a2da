package io.forwardlock.sample;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A holder is paused (SIGSTOP) until a standby takes its lock over, then resumed
 * (SIGCONT): whatever {@code forward.lock.on-lost} says, the ledger, read as a system
 * that refuses smaller fencing tokens reads it, shows no tick of the old holder after the
 * new holder's first tick (see
 * {@link SampleLedger#assertPausedHolderIsFencedOffAfterFirstOf}).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SampleAppLostLockProcessIT {

	private static final String[] FAST = { "--forward.lock.heartbeat.enabled=true",
			"--forward.lock.heartbeat.interval=500ms", "--forward.lock.stale-timeout=3s",
			"--forward.lock.verify-interval=500ms", "--sample.tick-interval=100ms" };

	@TempDir
	Path dir;

	@ParameterizedTest(name = "on-lost={0}")
	@ValueSource(strings = { "mark-down", "standby", "shutdown" })
	void oldHolderWritesNoTickAfterTheNewHoldersFirst(String onLost) throws Exception {
		SampleLedger ledger = new SampleLedger(this.dir.resolve("ledger-" + onLost + ".txt"));
		Map<String, String> environment = Map.of("FORWARD_LOCK_DIR", this.dir.toString(), "SAMPLE_LEDGER_FILE",
				ledger.file().toString());
		try (SampleAppProcess holder = SampleAppProcess
			.start(environment, SampleAppProcess.withArgs(FAST, "--forward.lock.on-lost=" + onLost))
			.awaitStarted()) {
			ledger.awaitTicksOf(holder.pid(), 1);
			try (SampleAppProcess standby = SampleAppProcess.start(environment,
					SampleAppProcess.withArgs(FAST, "--forward.lock.standby=true"))) {
				holder.hangUntilTakenOverBy(standby, ledger);
				if (onLost.equals("shutdown")) {
					assertThat(holder.awaitExit(Duration.ofSeconds(120))).isEqualTo(76);
				}
				else {
					assertThat(holder.isAlive()).isTrue();
					assertThat(holder.output()).contains("the guarded work is stopped");
				}
				if (onLost.equals("standby")) {
					// The old holder waits for the lock again, then resumes its work
					holder.awaitOutput("waiting on standby", Duration.ofSeconds(60));
					standby.kill();
					await().atMost(Duration.ofSeconds(120))
						.until(() -> ledger.last().map(SampleLedger.Tick::pid).orElse(-1L) == holder.pid());
					// its new acquisition got a token above the standby's
					ledger.assertPausedHolderIsFencedOffAfterFirstOf(holder.pid(), standby.pid());
				}
			}
		}
	}

}
