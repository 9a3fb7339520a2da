package io.forwardlock.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import io.forwardlock.lock.testsupport.TcpProxy;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JDBC cut-off, on PostgreSQL and on MariaDB: the holder's connection to the database
 * is black-holed (through a {@link TcpProxy}: no reset, no answer, as a dead network
 * shows) while a standby still reaches the database. The standby takes over once the
 * holder's lease has expired in the database; the holder, whose renewals hang, stops its
 * guarded work on its own local deadline, without any database call. The ledger shows no
 * tick of the old holder after the new holder's first, and the old holder reports the
 * loss no later than the standby acquires.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SampleAppJdbcCutOffProcessIT {

	private static final Duration LEASE = Duration.ofSeconds(4);

	@TempDir
	Path dir;

	@ParameterizedTest(name = "on {0}")
	@ValueSource(strings = { "PostgreSQL", "MariaDB" })
	void holderCutOffFromTheDatabaseStopsBeforeTheStandbyTakesOver(String database) throws Exception {
		try (Database server = Database.start(database, this.dir);
				TcpProxy proxy = TcpProxy.start("127.0.0.1", server.port())) {
			SampleLedger ledger = new SampleLedger(this.dir.resolve("ledger.txt"));
			Map<String, String> environment = Map.of("SAMPLE_LEDGER_FILE", ledger.file().toString());
			try (SampleAppProcess holder = SampleAppProcess.start(environment, args(server, proxy.port(), "200ms"))
				.awaitStarted()) {
				ledger.awaitTicksOf(holder.pid(), 1);
				// The standby polls often, so that it acquires within a few milliseconds
				// of the moment the database lets it: the holder must have reported its
				// loss by then
				try (SampleAppProcess standby = SampleAppProcess.start(environment, SampleAppProcess
					.withArgs(args(server, server.port(), "20ms"), "--forward.lock.standby=true"))) {
					standby.awaitStandby();
					Instant cutOff = Instant.now();
					proxy.blackHole();
					standby.awaitStarted();
					ledger.awaitTicksOf(standby.pid(), 1);
					// on-lost=shutdown: the holder exits with the lost-lock status, its
					// database still out of reach
					assertThat(holder.awaitExit(Duration.ofSeconds(90))).as(holder.output()).isEqualTo(76);
					Instant exited = Instant.now();
					ledger.awaitTicksOf(standby.pid(), ledger.ticksOf(standby.pid()) + 10);

					assertThat(ledger.pidRuns()).as("holders in the ledger, in order")
						.containsExactly(holder.pid(), standby.pid());
					ledger.assertFencingTokensNeverDecrease();
					Instant lastOfHolder = ledger.lastOf(holder.pid()).orElseThrow().at();
					Instant firstOfStandby = ledger.firstOf(standby.pid()).orElseThrow().at();
					assertThat(lastOfHolder).isBefore(firstOfStandby);
					Instant lost = SampleLedger.loggedAt(holder.output(), "LOCK_LOST").orElseThrow();
					Instant acquired = SampleLedger.loggedAt(standby.output(), "Acquired lock").orElseThrow();
					System.out.printf("JDBC cut-off on " + database
							+ ": holder's last tick %d ms, loss reported %d ms, standby acquired "
							+ "%d ms, standby's first tick %d ms, holder exited by %d ms after the cut-off (lease %d ms)%n",
							millis(cutOff, lastOfHolder), millis(cutOff, lost), millis(cutOff, acquired),
							millis(cutOff, firstOfStandby), millis(cutOff, exited), LEASE.toMillis());
					assertThat(lost).as("the holder reports the loss no later than the standby acquires")
						.isBeforeOrEqualTo(acquired);
				}
			}
		}
	}

	private static String[] args(Database server, int port, String retryDelay) {
		// The driver's own timeouts end a read on a dead connection (a query timeout
		// alone would not: PostgreSQL cancels through a new connection, as dead as the
		// first), and the pool gives up on a connection early; the lease's local deadline
		// does not depend on either
		return new String[] { "--forward.lock.backend=jdbc", "--spring.datasource.url=" + server.url(port),
				"--spring.datasource.username=" + server.username(), "--spring.datasource.password=",
				"--spring.datasource.hikari.connection-timeout=2000",
				"--spring.datasource.hikari.validation-timeout=1000",
				"--forward.lock.stale-timeout=" + LEASE.toMillis() + "ms", "--forward.lock.heartbeat.interval=1s",
				"--forward.lock.verify-interval=500ms", "--forward.lock.retry-delay=" + retryDelay,
				"--sample.tick-interval=100ms" };
	}

	private static long millis(Instant from, Instant to) {
		return Duration.between(from, to).toMillis();
	}

	/**
	 * A database server on the loopback interface, and how the sample reaches it through
	 * a given port with the driver's connect and read timeouts set.
	 *
	 * @param server the running server
	 * @param port the server's port
	 * @param urlThrough the JDBC URL through a port
	 * @param username the user to connect as, without a password
	 */
	private record Database(AutoCloseable server, int port, IntFunction<String> urlThrough,
			String username) implements AutoCloseable {

		static Database start(String product, Path dir) throws Exception {
			if (product.equals("PostgreSQL")) {
				EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
				// timeouts in seconds
				return new Database(postgres, postgres.getPort(),
						(port) -> "jdbc:postgresql://127.0.0.1:" + port + "/postgres?connectTimeout=2&socketTimeout=3",
						"postgres");
			}
			SampleMariaDb mariaDb = SampleMariaDb.start(Files.createTempDirectory(dir, "mariadb"));
			// timeouts in milliseconds
			return new Database(mariaDb, mariaDb.port(),
					(port) -> mariaDb.jdbcUrl(port) + "?connectTimeout=2000&socketTimeout=3000", "root");
		}

		String url(int port) {
			return this.urlThrough.apply(port);
		}

		@Override
		public void close() throws Exception {
			this.server.close();
		}

	}

}
