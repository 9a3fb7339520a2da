package io.forwardlock.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
 * A PostgreSQL outage longer than the lease, with a real stop and a restart of the server
 * on the same port and data directory: the holder loses the lock on its local deadline
 * and waits on standby ({@code on-lost=standby}), a second instance started during the
 * outage waits too, and once the database is back exactly one of them holds the lock and
 * ticks, within the lease plus the retry delay of the database's return (plus a margin
 * for a loaded machine). No two instances' ticks ever interleave, and no instance exits,
 * let alone with status 75, because the database could not be reached.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class SampleAppJdbcOutageProcessIT {

	private static final Duration LEASE = Duration.ofSeconds(4);

	private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

	/**
	 * Room for a loaded machine (two cores shared by several builds): the new holder's
	 * JVM scheduling, its pool opening a first connection, and the guarded work starting.
	 */
	private static final Duration MARGIN = Duration.ofSeconds(10);

	@TempDir
	Path dir;

	@Test
	void afterAnOutageLongerThanTheLeaseExactlyOneInstanceRunsAgain() throws Exception {
		Path data = Files.createDirectory(this.dir.resolve("pgdata"));
		EmbeddedPostgres postgres = startPostgres(data, 0);
		int port = postgres.getPort();
		try {
			SampleLedger ledger = new SampleLedger(this.dir.resolve("ledger.txt"));
			Map<String, String> environment = Map.of("SAMPLE_LEDGER_FILE", ledger.file().toString());
			try (SampleAppProcess first = SampleAppProcess.start(environment, args(port)).awaitStarted()) {
				ledger.awaitTicksOf(first.pid(), 1);
				postgres.close();
				postgres = null;
				Instant down = Instant.now();
				// The table exists (the first instance created it), as it does where
				// migrations create it: creating it at start-up needs the database, and
				// an instance that starts while it is down exits with status 1 there
				try (SampleAppProcess second = SampleAppProcess.start(environment, SampleAppProcess.withArgs(args(port),
						"--forward.lock.standby=true", "--forward.lock.jdbc.initialize-schema=never"))) {
					first.awaitOutput("LOCK_LOST", Duration.ofSeconds(60));
					// The second instance met the outage: it retries, with a pool timeout
					// shorter than the heartbeat, instead of exiting
					second.awaitOutput("retrying in", SampleAppProcess.START_TIMEOUT);
					// The outage lasts longer than the lease, whatever the loaded machine
					// made of the steps above
					await().atMost(Duration.ofSeconds(60))
						.until(() -> Instant.now().isAfter(down.plus(LEASE.multipliedBy(2))));
					assertThat(first.isAlive()).as(first.output()).isTrue();
					assertThat(second.isAlive()).as(second.output()).isTrue();
					long ticksBefore = ledger.ticks().size();

					postgres = startPostgres(data, port);
					Instant back = Instant.now();
					await().atMost(Duration.ofSeconds(120)).until(() -> ledger.ticks().size() >= ticksBefore + 30);

					List<SampleLedger.Tick> ticks = ledger.ticks();
					List<SampleLedger.Tick> afterReturn = ticks.subList((int) ticksBefore, ticks.size());
					assertThat(afterReturn).as("ticks after the database came back").allSatisfy((tick) -> {
						assertThat(tick.pid()).isEqualTo(afterReturn.get(0).pid());
						assertThat(tick.at()).isAfter(back.minus(RETRY_DELAY));
					});
					assertThat(ledger.pidRuns()).as("holders in the ledger, in order")
						.isIn(List.of(first.pid()), List.of(first.pid(), second.pid()));
					Instant lastBeforeOutage = ticks.get((int) ticksBefore - 1).at();
					Duration downtime = Duration.between(lastBeforeOutage, afterReturn.get(0).at());
					Duration toFirstTick = Duration.between(back, afterReturn.get(0).at());
					System.out.printf(
							"JDBC outage: database down %d ms; holder's last tick %d ms after the stop; %s instance "
									+ "ticked again %d ms after the database was back (lease %d ms, retry delay %d ms); "
									+ "no ticks for %d ms%n",
							Duration.between(down, back).toMillis(),
							Duration.between(down, lastBeforeOutage).toMillis(),
							(afterReturn.get(0).pid() == first.pid()) ? "the first" : "the second",
							toFirstTick.toMillis(), LEASE.toMillis(), RETRY_DELAY.toMillis(), downtime.toMillis());
					assertThat(toFirstTick).isLessThanOrEqualTo(LEASE.plus(RETRY_DELAY).plus(MARGIN));
					assertThat(first.isAlive()).as(first.output()).isTrue();
					assertThat(second.isAlive()).as(second.output()).isTrue();
				}
			}
		}
		finally {
			if (postgres != null) {
				postgres.close();
			}
		}
	}

	/**
	 * Start PostgreSQL on a data directory that survives a stop, on the given port (0 for
	 * any), so that the clients' URL stays valid across a restart.
	 */
	private static EmbeddedPostgres startPostgres(Path data, int port) throws IOException {
		EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
			.setDataDirectory(data)
			.setCleanDataDirectory(false);
		if (port != 0) {
			builder.setPort(port);
		}
		return builder.start();
	}

	private static String[] args(int port) {
		// A pool timeout shorter than the heartbeat: a standby that cannot get a
		// connection must retry, not give up (issue 10, item 5)
		return new String[] { "--forward.lock.backend=jdbc",
				"--spring.datasource.url=jdbc:postgresql://localhost:" + port
						+ "/postgres?connectTimeout=2&socketTimeout=3",
				"--spring.datasource.username=postgres", "--spring.datasource.password=",
				"--spring.datasource.hikari.connection-timeout=500", "--forward.lock.on-lost=standby",
				"--forward.lock.stale-timeout=" + LEASE.toMillis() + "ms", "--forward.lock.heartbeat.interval=1s",
				"--forward.lock.verify-interval=500ms", "--forward.lock.retry-delay=" + RETRY_DELAY.toMillis() + "ms",
				"--sample.tick-interval=100ms" };
	}

}
