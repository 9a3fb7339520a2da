package io.forwardlock.lock.jdbc;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.LeaseDeadline;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The PostgreSQL server goes away while an instance holds the lock: the holder must learn
 * that it lost the lock within its lease, before anybody else can take it, and must not
 * lose it for an outage shorter than the lease.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JdbcLockBackendDatabaseLossTests {

	private static final Duration HEARTBEAT = Duration.ofMillis(500);

	private PostgresTestDatabase database;

	private ScheduledExecutorService scheduler;

	private final AtomicLong lastRenewalSentAt = new AtomicLong();

	private final AtomicInteger renewals = new AtomicInteger();

	private final List<LockErrorType> heartbeatFailures = new CopyOnWriteArrayList<>();

	@BeforeEach
	void startDatabase() {
		this.database = PostgresTestDatabase.start();
		this.scheduler = Executors.newSingleThreadScheduledExecutor();
	}

	@AfterEach
	void stopDatabase() {
		this.scheduler.shutdownNow();
		this.database.close();
	}

	@Test
	void holderLearnsItLostTheLockWithinTheLeaseAndOnlyThenCanAnotherTakeIt() {
		Duration leaseDuration = Duration.ofSeconds(3);
		LockRequest request = request(leaseDuration);
		LockLease lease = new JdbcLockBackend(this.database.dataSource()).tryAcquire(request).orElseThrow();
		heartbeatLikeTheLifecycle(lease);
		await().atMost(Duration.ofSeconds(30)).until(() -> this.renewals.get() >= 2);

		this.database.stop();
		long stoppedAt = System.nanoTime();
		await().atMost(leaseDuration.plusSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> isLost(lease));
		long lostAt = System.nanoTime();
		Duration sinceStop = Duration.ofNanos(lostAt - stoppedAt);
		Duration sinceLastRenewal = Duration.ofNanos(lostAt - this.lastRenewalSentAt.get());
		// Not before the local lease (the lease less its safety margin) ran out, and not
		// much later.
		assertThat(sinceLastRenewal).isGreaterThanOrEqualTo(LeaseDeadline.trustedLease(leaseDuration));
		assertThat(sinceStop).isLessThanOrEqualTo(leaseDuration.plusMillis(2500));
		assertThat(this.heartbeatFailures).contains(LockErrorType.BACKEND_UNAVAILABLE);

		this.database.restart();
		JdbcLockBackend contender = new JdbcLockBackend(this.database.dataSource());
		LockLease taken = await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> contender.tryAcquire(request(leaseDuration)), Optional::isPresent)
			.orElseThrow();
		assertThat(taken.fencingToken().orElseThrow()).isGreaterThan(lease.fencingToken().orElseThrow());
		// The old holder's heartbeat, still running, never revives its lease.
		int failuresBefore = this.heartbeatFailures.size();
		await().atMost(Duration.ofSeconds(30)).until(() -> this.heartbeatFailures.size() > failuresBefore + 1);
		assertThat(this.heartbeatFailures.subList(failuresBefore, this.heartbeatFailures.size()))
			.containsOnly(LockErrorType.LOCK_LOST);
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.LOST);
		assertThat(taken.verify().status()).isEqualTo(Verification.Status.HELD);
		System.out.printf(
				"JDBC database loss: lease %d ms, lost %d ms after the server stopped, "
						+ "%d ms after the last renewal was sent%n",
				leaseDuration.toMillis(), sinceStop.toMillis(), sinceLastRenewal.toMillis());
		taken.release();
	}

	@Test
	void outageShorterThanTheLeaseKeepsTheLock() {
		Duration leaseDuration = Duration.ofSeconds(20);
		LockRequest request = request(leaseDuration);
		LockLease lease = new JdbcLockBackend(this.database.dataSource()).tryAcquire(request).orElseThrow();
		heartbeatLikeTheLifecycle(lease);
		this.database.stop();
		await().atMost(Duration.ofSeconds(30)).until(() -> !this.heartbeatFailures.isEmpty());
		this.database.restart();
		int renewalsBefore = this.renewals.get();
		await().atMost(Duration.ofSeconds(30)).until(() -> this.renewals.get() > renewalsBefore);
		assertThat(this.heartbeatFailures).containsOnly(LockErrorType.BACKEND_UNAVAILABLE);
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
		assertThat(new JdbcLockBackend(this.database.dataSource()).tryAcquire(request(leaseDuration))).isEmpty();
		lease.release();
	}

	private LockRequest request(Duration leaseDuration) {
		return LockRequest.named("database-loss").heartbeat(HEARTBEAT, leaseDuration).build();
	}

	/**
	 * Renew every heartbeat interval and keep going after failures, as the lifecycle
	 * does, remembering when the last successful renewal was sent.
	 */
	private void heartbeatLikeTheLifecycle(LockLease lease) {
		this.scheduler.scheduleWithFixedDelay(() -> {
			long sentAt = System.nanoTime();
			try {
				lease.heartbeat();
				this.lastRenewalSentAt.set(sentAt);
				this.renewals.incrementAndGet();
			}
			catch (LockException ex) {
				this.heartbeatFailures.add(ex.getType());
			}
		}, 0, HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
	}

	private static boolean isLost(LockLease lease) {
		try {
			return lease.verify().status() == Verification.Status.LOST;
		}
		catch (LockException ex) {
			assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE);
			return false;
		}
	}

}
