package io.forwardlock.sample;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

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
			SampleLedger ledger = new SampleLedger(this.dir.resolve("ledger.txt"));
			Map<String, String> environment = Map.of("SAMPLE_LEDGER_FILE", ledger.file().toString());
			try (SampleAppProcess holder = SampleAppProcess.start(environment, jdbc).awaitStarted()) {
				ledger.awaitTicksOf(holder.pid(), 1);
				try (SampleAppProcess standby = SampleAppProcess.start(environment,
						SampleAppProcess.withArgs(jdbc, "--forward.lock.standby=true"))) {
					holder.hangUntilTakenOverBy(standby, ledger);
					assertThat(holder.isAlive()).isTrue();
				}
			}
		}
	}

}
