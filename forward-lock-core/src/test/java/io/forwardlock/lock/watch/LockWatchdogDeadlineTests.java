package io.forwardlock.lock.watch;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LeaseDeadline;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the deadline of {@link LockWatchdog}: over a lease that expires by itself,
 * and over a renewed lease on a monotonic clock the test moves.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LockWatchdogDeadlineTests {

	private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(20);

	private static final Duration STALE_TIMEOUT = Duration.ofSeconds(60);

	private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

	private final AtomicLong clock = new AtomicLong();

	private final LockRequest renewed = LockRequest.named("orders")
		.heartbeat(HEARTBEAT_INTERVAL, STALE_TIMEOUT)
		.build();

	@AfterEach
	void stopScheduler() {
		this.scheduler.shutdownNow();
	}

	@Test
	void withoutHeartbeatTheLeasesOwnDeadlineEndsTheWatchInTheLeasesWords() {
		ExpiringLease lease = new ExpiringLease(Duration.ofMillis(300));
		AtomicReference<String> lost = new AtomicReference<>();
		LockRequest request = LockRequest.named("orders").build();
		LockWatchdog watchdog = new LockWatchdog(lease, request, Duration.ofHours(1), false, System.nanoTime(),
				this.scheduler, (detail, newHolder) -> lost.set(detail));
		watchdog.start();
		await().atMost(Duration.ofSeconds(20)).until(() -> lost.get() != null);
		assertThat(lost.get()).isEqualTo("the session ran out");
		assertThat(watchdog.isLost()).isTrue();
		watchdog.stop();
	}

	@Test
	void oneFailedRenewalIsTriedAgainBeforeTheNextHeartbeatSoThatTheLeaseSurvivesIt() {
		// the heartbeat at half the stale timeout, as the defaults (30 s and 60 s): the
		// next regular renewal after a failed one would come after the deadline
		LockRequest request = LockRequest.named("orders")
			.heartbeat(Duration.ofMillis(800), Duration.ofMillis(1600))
			.build();
		AtomicInteger calls = new AtomicInteger();
		AtomicInteger renewals = new AtomicInteger();
		RenewedLease lease = new RenewedLease() {

			@Override
			public void heartbeat() {
				if (calls.incrementAndGet() == 1) {
					throw LockErrors.backendUnavailable("memory", "renew the lease", new IllegalStateException("down"));
				}
				renewals.incrementAndGet();
			}

		};
		AtomicReference<String> lost = new AtomicReference<>();
		LockWatchdog watchdog = new LockWatchdog(lease, request, Duration.ofHours(1), true, System.nanoTime(),
				System::nanoTime, this.scheduler, (detail, newHolder) -> lost.set(detail));
		watchdog.start();
		try {
			// three renewals after the failed one take the lease past two stale timeouts
			await().atMost(Duration.ofSeconds(20)).until(() -> renewals.get() >= 3 || lost.get() != null);
			assertThat(lost.get()).as("loss after one failed renewal").isNull();
			assertThat(watchdog.isLost()).isFalse();
		}
		finally {
			watchdog.stop();
		}
	}

	@Test
	void failedVerificationIsTriedAgainSoonNotAtTheNextTick() {
		// a verification that failed once (a repair that raced with a deletion of the
		// lock directory); the next tick is an hour away
		AtomicInteger calls = new AtomicInteger();
		RenewedLease lease = new RenewedLease() {

			@Override
			public Verification verify() {
				if (calls.incrementAndGet() == 1) {
					throw LockErrors.backendUnavailable("memory", "verify the lock", new IllegalStateException("gone"));
				}
				return Verification.held();
			}

		};
		AtomicReference<String> lost = new AtomicReference<>();
		LockWatchdog watchdog = new LockWatchdog(lease, LockRequest.named("orders").build(), Duration.ofHours(1), false,
				System.nanoTime(), System::nanoTime, this.scheduler, (detail, newHolder) -> lost.set(detail));
		watchdog.start();
		try {
			watchdog.verifyNow();
			await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() >= 2);
			assertThat(lost.get()).isNull();
		}
		finally {
			watchdog.stop();
		}
	}

	@Test
	void deadlineCountsFromTheAcquisitionOfTheLeaseNotFromTheStartOfTheWatch() {
		// acquired at 0, watched only once the stale timeout has passed (an early
		// acquisition followed by a long start-up): the deadline has passed already
		long acquiredAt = this.clock.get();
		this.clock.set(STALE_TIMEOUT.toNanos());
		AtomicReference<String> lost = new AtomicReference<>();
		LockWatchdog watchdog = watch(new RenewedLease(), acquiredAt, (detail, newHolder) -> lost.set(detail));
		watchdog.start();
		await().atMost(Duration.ofSeconds(20)).until(() -> lost.get() != null);
		assertThat(lost.get()).isEqualTo("no renewal succeeded for 60000 ms, which reaches the stale timeout of "
				+ "PT1M; another instance may hold the lock now");
		watchdog.stop();
	}

	@Test
	void leaseWhoseOwnDeadlineComesBeforeTheStaleTimeoutIsLostInWordsThatSaySo() {
		// a JDBC lease trusts a little less than the stale timeout: its deadline passes
		// after 59 s without a renewal, before the stale timeout of a minute
		RenewedLease lease = new RenewedLease();
		long acquiredAt = this.clock.get();
		this.clock.set(Duration.ofSeconds(59).toNanos());
		lease.left = Duration.ZERO;
		AtomicReference<String> lost = new AtomicReference<>();
		LockWatchdog watchdog = watch(lease, acquiredAt, (detail, newHolder) -> lost.set(detail));
		watchdog.start();
		await().atMost(Duration.ofSeconds(20)).until(() -> lost.get() != null);
		assertThat(lost.get()).isEqualTo("no renewal succeeded for 59000 ms, and the lease's own deadline has "
				+ "passed (the stale timeout is PT1M); another instance may hold the lock now");
		watchdog.stop();
	}

	@Test
	void lossFoundByACheckThatWasRunningWhenTheWatchStoppedIsNotReportedButStillRefusesGuardedWork() throws Exception {
		CountDownLatch renewing = new CountDownLatch(1);
		CountDownLatch answer = new CountDownLatch(1);
		RenewedLease lease = new RenewedLease() {

			@Override
			public void heartbeat() {
				renewing.countDown();
				try {
					answer.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				throw LockErrors.lockLost("memory", "the lease had expired or was taken over when renewing it", null);
			}

		};
		AtomicReference<String> lost = new AtomicReference<>();
		LockWatchdog watchdog = watch(lease, this.clock.get(), (detail, newHolder) -> lost.set(detail));
		Thread check = new Thread(watchdog::heartbeatNow);
		check.start();
		assertThat(renewing.await(10, TimeUnit.SECONDS)).isTrue();
		watchdog.stop();
		answer.countDown();
		check.join(10_000);
		assertThat(check.isAlive()).isFalse();
		assertThat(lost.get()).as("loss reported after the watch stopped").isNull();
		assertThatExceptionOfType(LockException.class).isThrownBy(watchdog::ensureHeld)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
	}

	@Test
	void failedRenewalsAreToleratedOnlyUntilTheStaleTimeoutAfterTheAcquisition() {
		RenewedLease lease = new RenewedLease();
		lease.failure = LockErrors.backendUnavailable("memory", "renew the lease", null);
		long acquiredAt = this.clock.get();
		this.clock.set(Duration.ofSeconds(40).toNanos());
		AtomicReference<String> lost = new AtomicReference<>();
		LockWatchdog watchdog = watch(lease, acquiredAt, (detail, newHolder) -> lost.set(detail));
		watchdog.heartbeatNow();
		assertThat(watchdog.isLost()).isFalse();
		this.clock.set(STALE_TIMEOUT.toNanos());
		watchdog.heartbeatNow();
		assertThat(lost.get()).isEqualTo("could not heartbeat the lock for 60000 ms, which exceeds the stale timeout "
				+ "of PT1M: Failed to renew the lease");
	}

	@Test
	void afterARenewalTheCountStartsWhenThatRenewalWasSent() {
		RenewedLease lease = new RenewedLease();
		long acquiredAt = this.clock.get();
		this.clock.set(Duration.ofSeconds(40).toNanos());
		AtomicReference<String> lost = new AtomicReference<>();
		LockWatchdog watchdog = watch(lease, acquiredAt, (detail, newHolder) -> lost.set(detail));
		watchdog.heartbeatNow();
		lease.failure = LockErrors.backendUnavailable("memory", "renew the lease", null);
		this.clock.set(Duration.ofSeconds(99).toNanos());
		watchdog.heartbeatNow();
		assertThat(watchdog.isLost()).isFalse();
		this.clock.set(Duration.ofSeconds(100).toNanos());
		watchdog.heartbeatNow();
		assertThat(lost.get()).startsWith("could not heartbeat the lock for 60000 ms,");
	}

	@Test
	void guardedWorkIsRefusedFromTheDeadlineOnHoweverRarelyTheLeaseIsVerified() {
		// a verify interval of an hour against a stale timeout of a minute: the deadline
		// is kept on the clock, and no verification needs to run for it
		LockWatchdog watchdog = watch(new RenewedLease(), this.clock.get(), (detail, newHolder) -> {
		});
		this.clock.set(STALE_TIMEOUT.toNanos() - 1);
		assertThatNoException().isThrownBy(watchdog::ensureHeld);
		this.clock.set(STALE_TIMEOUT.toNanos());
		assertThatExceptionOfType(LockException.class).isThrownBy(watchdog::ensureHeld)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST))
			.satisfies((ex) -> assertThat(ex.getSummary()).contains("the lease ran out before it could be renewed"));
	}

	@Test
	void renewalThatComesDueWhileAVerificationRunsGoesAsSoonAsTheVerificationEnds() throws Exception {
		// a verification held up by a slow backend: skipping the renewal until the next
		// tick, a whole heartbeat interval later, could let the lease run out
		CountDownLatch verifying = new CountDownLatch(1);
		CountDownLatch answered = new CountDownLatch(1);
		AtomicInteger renewals = new AtomicInteger();
		RenewedLease lease = new RenewedLease() {

			@Override
			public Verification verify() {
				verifying.countDown();
				try {
					answered.await(20, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				return Verification.held();
			}

			@Override
			public void heartbeat() {
				renewals.incrementAndGet();
			}

		};
		LockWatchdog watchdog = watch(lease, this.clock.get(), (detail, newHolder) -> {
		});
		Future<?> verification = this.scheduler.submit(watchdog::verifyNow);
		assertThat(verifying.await(20, TimeUnit.SECONDS)).isTrue();
		watchdog.heartbeatNow();
		assertThat(renewals).as("renewals while the verification runs").hasValue(0);
		answered.countDown();
		verification.get(20, TimeUnit.SECONDS);
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(renewals).hasValue(1));
		watchdog.stop();
	}

	private LockWatchdog watch(LockLease lease, long acquiredAt, LockWatchdog.Listener listener) {
		// verifications and periodic renewals are far off: the test calls what it needs
		return new LockWatchdog(lease, this.renewed, Duration.ofHours(1), true, acquiredAt, this.clock::get,
				this.scheduler, listener);
	}

	/**
	 * A lease in memory with no deadline of its own, such as a file lock with the
	 * heartbeat on, whose renewals fail while {@link #failure} is set.
	 */
	private static class RenewedLease implements LockLease {

		private final AtomicBoolean released = new AtomicBoolean();

		private volatile RuntimeException failure;

		// what the lease says it has left, or null for no deadline of its own
		private volatile Duration left;

		@Override
		public String lockName() {
			return "orders";
		}

		@Override
		public String backendId() {
			return "memory";
		}

		@Override
		public String location() {
			return "memory";
		}

		@Override
		public HolderRecord holder() {
			return HolderRecord.ofPid(1);
		}

		@Override
		public OptionalLong fencingToken() {
			return OptionalLong.empty();
		}

		@Override
		public Verification verify() {
			return Verification.held();
		}

		@Override
		public void heartbeat() {
			RuntimeException current = this.failure;
			if (current != null) {
				throw current;
			}
		}

		@Override
		public Optional<Duration> timeLeft() {
			return Optional.ofNullable(this.left);
		}

		@Override
		public boolean isReleased() {
			return this.released.get();
		}

		@Override
		public void release() {
			this.released.set(true);
		}

	}

	/**
	 * A lease that is never confirmed again, whose deadline is kept by a
	 * {@link LeaseDeadline}, as the session of a ZooKeeper lease whose ensemble went
	 * silent.
	 */
	private static final class ExpiringLease extends RenewedLease {

		private final LeaseDeadline deadline;

		ExpiringLease(Duration session) {
			this.deadline = new LeaseDeadline(session, System.nanoTime(), System::nanoTime,
					(millis) -> "the session ran out");
		}

		@Override
		public Verification verify() {
			return this.deadline.hasPassed() ? this.deadline.lostVerification() : Verification.held();
		}

		@Override
		public Optional<Duration> timeLeft() {
			return this.deadline.timeLeft();
		}

	}

}
