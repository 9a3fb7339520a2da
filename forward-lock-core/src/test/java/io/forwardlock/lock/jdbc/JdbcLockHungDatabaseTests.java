package io.forwardlock.lock.jdbc;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.watch.LockWatchdog;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a database that stops answering does to a held JDBC lease.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JdbcLockHungDatabaseTests {

	@AutoClose
	private final OneConnectionPool pool = new OneConnectionPool();

	private final JdbcLockBackend backend = this.pool.backend();

	private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

	@AfterEach
	void stopTheScheduler() {
		this.scheduler.shutdownNow();
	}

	@Test
	void renewalsDueWhileOneHangsSendNothingMoreAndTheLossIsReportedOnTime() throws Exception {
		LockRequest request = LockRequest.named("orders")
			.heartbeat(Duration.ofMillis(20), Duration.ofSeconds(5))
			.build();
		long acquiredAt = System.nanoTime();
		LockLease lease = this.backend.tryAcquire(request).orElseThrow();
		this.pool.hang.add("executeUpdate");
		this.pool.hang.add("executeQuery");
		CompletableFuture<Long> lost = new CompletableFuture<>();
		LockWatchdog watchdog = new LockWatchdog(lease, request, Duration.ofMillis(20), true, acquiredAt,
				this.scheduler, (detail, holder) -> lost.complete(System.nanoTime()));
		watchdog.start();
		long lostAfter = lost.get(20, TimeUnit.SECONDS) - acquiredAt;
		// the lease trusts 4 s of the 5 s the database keeps it: reported before a
		// contender can get in
		assertThat(Duration.ofNanos(lostAfter)).isLessThan(request.staleTimeout());
		// about 200 renewals and verifications were due while the database hung: a
		// renewal waits for the one under way, so only one ever reached the database
		assertThat(this.pool.mostHangingAtOnce).hasValue(1);
		watchdog.stop();
	}

}
