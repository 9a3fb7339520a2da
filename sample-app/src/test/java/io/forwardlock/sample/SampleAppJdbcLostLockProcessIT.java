package io.forwardlock.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A JDBC holder is paused (SIGSTOP) for longer than its lease, a standby takes over
 * through the database, then the holder resumes (SIGCONT): the ledger shows no tick of
 * the old holder after the new holder's first, because the job checks the lock, whose
 * local deadline has passed, before writing.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SampleAppJdbcLostLockProcessIT {

	@TempDir
	Path dir;

	@Test
	void pausedJdbcHolderWritesNoTickAfterTheTakeover() throws Exception {
		try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
			String[] jdbc = { "--forward.lock.backend=jdbc",
					"--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
					"--spring.datasource.username=postgres", "--spring.datasource.password=",
					"--forward.lock.stale-timeout=4s", "--forward.lock.heartbeat.interval=1s",
					"--forward.lock.verify-interval=500ms", "--sample.tick-interval=100ms",
					"--forward.lock.on-lost=mark-down" };
			Path ledger = this.dir.resolve("ledger.txt");
			Map<String, String> environment = Map.of("SAMPLE_LEDGER_FILE", ledger.toString());
			try (SampleAppProcess holder = SampleAppProcess.start(environment, jdbc).awaitStarted()) {
				await().atMost(Duration.ofSeconds(60)).until(() -> ticksOf(ledger, holder.pid()) > 0);
				String[] standbyArgs = java.util.Arrays.copyOf(jdbc, jdbc.length + 1);
				standbyArgs[jdbc.length] = "--forward.lock.standby=true";
				try (SampleAppProcess standby = SampleAppProcess.start(environment, standbyArgs)) {
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
					long after = ticksOf(ledger, standby.pid());
					await().atMost(Duration.ofSeconds(60)).until(() -> ticksOf(ledger, standby.pid()) >= after + 20);
					List<Long> pids = pids(ledger);
					int first = pids.indexOf(standby.pid());
					assertThat(pids.subList(first, pids.size())).as("ticks after the new holder's first")
						.doesNotContain(holder.pid());
					assertThat(holder.isAlive()).isTrue();
				}
			}
		}
	}

	private static long ticksOf(Path ledger, long pid) throws Exception {
		return pids(ledger).stream().filter((each) -> each == pid).count();
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
