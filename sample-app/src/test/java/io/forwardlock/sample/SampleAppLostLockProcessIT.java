package io.forwardlock.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * (SIGCONT): whatever {@code forward.lock.on-lost} says, the ledger shows no tick of the
 * old holder after the new holder's first tick.
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
		Path ledger = this.dir.resolve("ledger-" + onLost + ".txt");
		Map<String, String> environment = Map.of("FORWARD_LOCK_DIR", this.dir.toString(), "SAMPLE_LEDGER_FILE",
				ledger.toString());
		try (SampleAppProcess holder = SampleAppProcess.start(environment, args("--forward.lock.on-lost=" + onLost))
			.awaitStarted()) {
			await().atMost(Duration.ofSeconds(60)).until(() -> ticksOf(ledger, holder.pid()) > 0);
			try (SampleAppProcess standby = SampleAppProcess.start(environment, args("--forward.lock.standby=true"))) {
				standby.awaitOutput("waiting on standby", SampleAppProcess.START_TIMEOUT);
				signal("STOP", holder.pid());
				try {
					standby.awaitStarted();
					await().atMost(Duration.ofSeconds(60)).until(() -> ticksOf(ledger, standby.pid()) > 0);
				}
				finally {
					signal("CONT", holder.pid());
				}
				holder.awaitOutput("LOCK_LOST", Duration.ofSeconds(60));
				// Let the new holder write on for a while next to the resumed old one
				long after = ticksOf(ledger, standby.pid());
				await().atMost(Duration.ofSeconds(60)).until(() -> ticksOf(ledger, standby.pid()) >= after + 20);
				assertNoTickOfAfterFirstOf(ledger, holder.pid(), standby.pid());
				if (onLost.equals("shutdown")) {
					assertThat(holder.awaitExit(Duration.ofSeconds(120))).isEqualTo(76);
				}
				else {
					assertThat(holder.isAlive()).isTrue();
					assertThat(holder.output()).contains("the guarded work is stopped");
				}
				if (onLost.equals("standby")) {
					// The old holder waits for the lock again and resumes its work once
					// held
					holder.awaitOutput("waiting on standby", Duration.ofSeconds(60));
					standby.kill();
					await().atMost(Duration.ofSeconds(120)).until(() -> lastPid(ledger) == holder.pid());
				}
			}
		}
	}

	private static String[] args(String extra) {
		String[] args = java.util.Arrays.copyOf(FAST, FAST.length + 1);
		args[FAST.length] = extra;
		return args;
	}

	private static void assertNoTickOfAfterFirstOf(Path ledger, long oldHolder, long newHolder) throws Exception {
		List<Long> pids = pids(ledger);
		int first = pids.indexOf(newHolder);
		assertThat(first).isNotNegative();
		assertThat(pids.subList(first, pids.size())).as("ticks after the new holder's first").doesNotContain(oldHolder);
	}

	private static long ticksOf(Path ledger, long pid) throws Exception {
		return pids(ledger).stream().filter((each) -> each == pid).count();
	}

	private static long lastPid(Path ledger) throws Exception {
		List<Long> pids = pids(ledger);
		return pids.isEmpty() ? -1 : pids.get(pids.size() - 1);
	}

	private static List<Long> pids(Path ledger) throws Exception {
		if (!Files.exists(ledger)) {
			return List.of();
		}
		return Files.readAllLines(ledger)
			.stream()
			.filter((line) -> line.contains(" pid="))
			.map((line) -> Long.valueOf(line.replaceAll(".* pid=(\\d+) .*", "$1")))
			.toList();
	}

	private static void signal(String signal, long pid) throws Exception {
		Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
		assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(kill.exitValue()).isZero();
	}

}
