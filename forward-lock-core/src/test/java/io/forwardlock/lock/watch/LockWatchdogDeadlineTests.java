package io.forwardlock.lock.watch;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LeaseDeadline;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the deadline of {@link LockWatchdog} over a lease that expires by itself.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LockWatchdogDeadlineTests {

	private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

	@AfterEach
	void stopScheduler() {
		this.scheduler.shutdownNow();
	}

	@Test
	void withoutHeartbeatTheLeasesOwnDeadlineEndsTheWatchInTheLeasesWords() {
		ExpiringLease lease = new ExpiringLease(Duration.ofMillis(300));
		AtomicReference<String> lost = new AtomicReference<>();
		LockRequest request = LockRequest.named("orders").build();
		LockWatchdog watchdog = new LockWatchdog(lease, request, Duration.ofHours(1), false, this.scheduler,
				(detail, newHolder) -> lost.set(detail));
		watchdog.start();
		await().atMost(Duration.ofSeconds(20)).until(() -> lost.get() != null);
		assertThat(lost.get()).isEqualTo("the session ran out");
		assertThat(watchdog.isLost()).isTrue();
		watchdog.stop();
	}

	/**
	 * A lease that is never confirmed again, whose deadline is kept by a
	 * {@link LeaseDeadline}, as the session of a ZooKeeper lease whose ensemble went
	 * silent.
	 */
	private static final class ExpiringLease implements LockLease {

		private final LeaseDeadline deadline;

		private final AtomicBoolean released = new AtomicBoolean();

		ExpiringLease(Duration session) {
			this.deadline = new LeaseDeadline(session, System.nanoTime(), System::nanoTime,
					(millis) -> "the session ran out");
		}

		@Override
		public String lockName() {
			return "orders";
		}

		@Override
		public String backendId() {
			return "expiring";
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
			return this.deadline.hasPassed() ? this.deadline.lostVerification() : Verification.held();
		}

		@Override
		public void heartbeat() {
		}

		@Override
		public Optional<Duration> timeLeft() {
			return this.deadline.timeLeft();
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

}
