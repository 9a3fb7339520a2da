package io.forwardlock.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ExpiringLease}, on a monotonic clock the test moves.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExpiringLeaseTests {

	private final AtomicLong clock = new AtomicLong();

	private final LockRequest request = LockRequest.named("orders").build();

	private final TestLease lease = new TestLease(this.request, this.clock);

	@Test
	void answersWhatItWasGrantedWithoutAskingTheBackend() {
		assertThat(this.lease.lockName()).isEqualTo("orders");
		assertThat(this.lease.backendId()).isEqualTo("test");
		assertThat(this.lease.location()).isEqualTo("test lock orders");
		assertThat(this.lease.holder().pid()).isEqualTo(7);
		assertThat(this.lease.fencingToken()).hasValue(3);
	}

	@Test
	void ensureHeldFailsOnceTheDeadlinePassesAndTimeLeftCountsDown() {
		this.lease.ensureHeld();
		this.clock.addAndGet(Duration.ofSeconds(9).toNanos());
		assertThat(this.lease.timeLeft()).contains(Duration.ofSeconds(1));
		this.clock.addAndGet(Duration.ofSeconds(1).toNanos());
		assertThatExceptionOfType(LockException.class).isThrownBy(this.lease::ensureHeld)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
		assertThat(this.lease.timeLeft()).contains(Duration.ZERO);
	}

	@Test
	void aReleasedLeaseIsReleasedOnceHasNoTimeLeftAndFailsEnsureHeld() {
		this.lease.release();
		this.lease.release();
		assertThat(this.lease.releases).hasValue(1);
		assertThat(this.lease.isReleased()).isTrue();
		assertThat(this.lease.timeLeft()).contains(Duration.ZERO);
		assertThatExceptionOfType(LockException.class).isThrownBy(this.lease::ensureHeld)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST))
			.withMessageContaining("released");
	}

	private static final class TestLease extends ExpiringLease {

		private final AtomicInteger releases = new AtomicInteger();

		TestLease(LockRequest request, AtomicLong clock) {
			super(new TestBackend(), request, HolderRecord.ofPid(7), 3,
					new LeaseDeadline(Duration.ofSeconds(10), clock.get(), clock::get));
		}

		@Override
		public Verification verify() {
			return deadline().hasPassed() ? deadline().lostVerification() : Verification.held();
		}

		@Override
		public void heartbeat() {
			if (!deadline().confirm(deadline().now())) {
				throw lostException();
			}
		}

		@Override
		public void release() {
			if (markReleased()) {
				this.releases.incrementAndGet();
			}
		}

	}

	private static final class TestBackend implements LockBackend {

		@Override
		public String id() {
			return "test";
		}

		@Override
		public Optional<LockLease> tryAcquire(LockRequest request) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Optional<HolderRecord> inspect(LockRequest request) {
			throw new UnsupportedOperationException();
		}

		@Override
		public String describeLocation(LockRequest request) {
			return "test lock " + request.name();
		}

	}

}
