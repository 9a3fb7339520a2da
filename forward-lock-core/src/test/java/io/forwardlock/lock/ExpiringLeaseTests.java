package io.forwardlock.lock;

import java.time.Duration;
import java.io.IOException;
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

	@Test
	void verifyReadsTheBackendAndReportsTheLeaseHeldWhileItIsStillOurs() {
		this.lease.answer = () -> "ours";
		assertThat(this.lease.verify().isHeld()).isTrue();
		assertThat(this.lease.calls).hasValue(1);
	}

	@Test
	void verifyMarksTheLeaseLostWithWhatItReadWhenSomebodyElseHoldsIt() {
		this.lease.answer = () -> "theirs";
		Verification verification = this.lease.verify();
		assertThat(verification.isHeld()).isFalse();
		assertThat(verification.detail()).isEqualTo("taken over by theirs");
		this.lease.answer = () -> "ours";
		assertThat(this.lease.verify().isHeld()).as("a lost lease stays lost").isFalse();
	}

	@Test
	void verifyAsksNothingOnceTheLeaseIsReleasedOrPastItsDeadline() {
		this.clock.addAndGet(Duration.ofSeconds(10).toNanos());
		assertThat(this.lease.verify().isHeld()).isFalse();
		this.lease.release();
		assertThat(this.lease.verify().detail()).contains("released");
		assertThat(this.lease.calls).hasValue(0);
	}

	@Test
	void aFailedCallBeforeTheDeadlineReportsTheBackendUnavailableAndAfterItTheLeaseLost() {
		this.lease.answer = () -> {
			throw new IOException("connection refused");
		};
		assertThatExceptionOfType(LockException.class).isThrownBy(this.lease::verify)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE))
			.withMessageContaining("verify the test lease");
		assertThatExceptionOfType(LockException.class).isThrownBy(this.lease::heartbeat)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE))
			.withMessageContaining("renew the test lease");
		this.lease.answer = () -> {
			this.clock.addAndGet(Duration.ofSeconds(10).toNanos());
			throw new IOException("timed out");
		};
		assertThatExceptionOfType(LockException.class).isThrownBy(this.lease::heartbeat)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
		assertThat(this.lease.verify().isHeld()).isFalse();
	}

	@Test
	void aRuntimeExceptionThatIsNoBackendFailureIsThrownAsItIs() {
		this.lease.answer = () -> {
			throw new IllegalArgumentException("a bug");
		};
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(this.lease::heartbeat)
			.withMessage("a bug");
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(this.lease::verify).withMessage("a bug");
	}

	@Test
	void aRenewalMovesTheDeadlineToWhenItWasSent() {
		this.clock.addAndGet(Duration.ofSeconds(5).toNanos());
		this.lease.answer = () -> {
			this.clock.addAndGet(Duration.ofSeconds(2).toNanos());
			return "ours";
		};
		this.lease.heartbeat();
		assertThat(this.lease.timeLeft()).contains(Duration.ofSeconds(8));
	}

	@Test
	void aRenewalThatAnswersAfterTheDeadlineDoesNotReviveTheLease() {
		this.clock.addAndGet(Duration.ofSeconds(9).toNanos());
		this.lease.answer = () -> {
			this.clock.addAndGet(Duration.ofSeconds(2).toNanos());
			return "ours";
		};
		assertThatExceptionOfType(LockException.class).isThrownBy(this.lease::heartbeat)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
	}

	@Test
	void aRefusedRenewalMarksTheLeaseLostWithTheGivenReason() {
		this.lease.answer = () -> null;
		assertThatExceptionOfType(LockException.class).isThrownBy(this.lease::heartbeat)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST))
			.withMessageContaining("refused the renewal");
		this.lease.answer = () -> "ours";
		assertThatExceptionOfType(LockException.class).as("a lost lease stays lost").isThrownBy(this.lease::heartbeat);
	}

	@Test
	void aRenewalThatAnswersAfterTheLeaseWasDeclaredLostDoesNotReviveIt() {
		this.lease.answer = () -> {
			this.lease.markLostNow();
			return "ours";
		};
		assertThatExceptionOfType(LockException.class).isThrownBy(this.lease::heartbeat)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
		assertThat(this.lease.timeLeft()).contains(Duration.ZERO);
	}

	@Test
	void aLossTheBackendReportsTellsTheSuspectedLossListenerButNotOnceReleasedOrStopped() {
		AtomicInteger suspicions = new AtomicInteger();
		this.lease.onSuspectedLoss(suspicions::incrementAndGet);
		this.lease.markLostNow();
		this.lease.suspectLossNow();
		assertThat(suspicions).hasValue(1);
		this.lease.onSuspectedLoss(null);
		this.lease.suspectLossNow();
		assertThat(suspicions).hasValue(1);
		this.lease.onSuspectedLoss(suspicions::incrementAndGet);
		this.lease.release();
		this.lease.suspectLossNow();
		assertThat(suspicions).hasValue(1);
	}

	@Test
	void aReleasedLeaseIsNotRenewed() {
		this.lease.answer = () -> "ours";
		this.lease.release();
		this.lease.heartbeat();
		assertThat(this.lease.calls).hasValue(0);
	}

	private static final class TestLease extends ExpiringLease {

		private final AtomicInteger releases = new AtomicInteger();

		private final AtomicInteger calls = new AtomicInteger();

		private final BackendFailures<IOException> failures = new BackendFailures<>(IOException.class,
				(operation, ex) -> LockErrors.backendUnavailable(location(), operation, ex));

		private BackendCall<String, IOException> answer = () -> {
			throw new AssertionError("no backend call expected");
		};

		TestLease(LockRequest request, AtomicLong clock) {
			super(new TestBackend(), request, HolderRecord.ofPid(7), 3,
					new LeaseDeadline(Duration.ofSeconds(10), clock.get(), clock::get));
		}

		@Override
		public Verification verify() {
			return verifyBy(this.failures, "verify the test lease", this::call, "ours"::equals,
					(seen) -> deadline().markLost("taken over by " + seen, null));
		}

		@Override
		public void heartbeat() {
			renewBy(this.failures, "renew the test lease", this::call, "the backend refused the renewal");
		}

		@Override
		public void release() {
			if (markReleased()) {
				this.releases.incrementAndGet();
			}
		}

		void suspectLossNow() {
			suspectLoss();
		}

		void markLostNow() {
			deadline().markLost("declared lost by a verification", null);
		}

		private String call() throws IOException {
			this.calls.incrementAndGet();
			return this.answer.call();
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
