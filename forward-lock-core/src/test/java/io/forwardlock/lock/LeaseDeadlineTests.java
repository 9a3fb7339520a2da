package io.forwardlock.lock;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LeaseDeadline}, on a monotonic clock the test moves.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeaseDeadlineTests {

	private static final long SECOND = 1_000_000_000L;

	private final AtomicLong clock = new AtomicLong(1_000 * SECOND);

	private final LeaseDeadline deadline = new LeaseDeadline(Duration.ofSeconds(10), this.clock.get(), this.clock::get);

	@Test
	void heldUntilTheLeaseDurationHasPassedSinceTheAcquiringRequestWasSent() {
		advance(Duration.ofMillis(9_999));
		assertThat(this.deadline.hasPassed()).isFalse();
		assertThat(this.deadline.timeLeft()).contains(Duration.ofMillis(1));
		advance(Duration.ofMillis(1));
		assertThat(this.deadline.hasPassed()).isTrue();
		assertThat(this.deadline.timeLeft()).contains(Duration.ZERO);
	}

	@Test
	void confirmationMovesTheDeadlineToALeaseDurationAfterTheRequestWasSent() {
		advance(Duration.ofSeconds(8));
		long sentAt = this.deadline.now();
		advance(Duration.ofSeconds(1));
		assertThat(this.deadline.confirm(sentAt)).isTrue();
		assertThat(this.deadline.timeLeft()).contains(Duration.ofSeconds(9));
		advance(Duration.ofSeconds(9));
		assertThat(this.deadline.hasPassed()).isTrue();
	}

	@Test
	void anOlderConfirmationNeverMovesTheDeadlineBack() {
		long early = this.deadline.now();
		advance(Duration.ofSeconds(5));
		assertThat(this.deadline.confirm(this.deadline.now())).isTrue();
		assertThat(this.deadline.confirm(early)).isTrue();
		assertThat(this.deadline.timeLeft()).contains(Duration.ofSeconds(10));
	}

	@Test
	void anAnswerThatArrivesAfterTheDeadlineDoesNotReviveTheLease() {
		long sentAt = this.deadline.now();
		advance(Duration.ofSeconds(11));
		assertThat(this.deadline.confirm(sentAt)).isFalse();
		assertThat(this.deadline.hasPassed()).isTrue();
	}

	@Test
	void theOverdueReasonSaysHowLongNoRenewalSucceeded() {
		advance(Duration.ofSeconds(12));
		assertThat(this.deadline.lostVerification().isHeld()).isFalse();
		assertThat(this.deadline.lostVerification().detail())
			.isEqualTo("no renewal succeeded for 12000 ms, longer than the lease of PT10S; another instance may "
					+ "hold the lock now");
	}

	@Test
	void aBackendCanWordItsOwnOverdueReason() {
		LeaseDeadline session = new LeaseDeadline(Duration.ofSeconds(10), this.clock.get(), this.clock::get,
				(millis) -> "silent for " + millis + " ms");
		advance(Duration.ofSeconds(10));
		assertThat(session.hasPassed()).isTrue();
		assertThat(session.lostVerification().detail()).isEqualTo("silent for 10000 ms");
	}

	@Test
	void theFirstReasonForALossIsKept() {
		HolderRecord other = HolderRecord.ofPid(42);
		assertThat(this.deadline.markLost("taken over by PID 42", other)).isTrue();
		assertThat(this.deadline.markLost("expired", null)).isFalse();
		advance(Duration.ofSeconds(20));
		assertThat(this.deadline.lostVerification().detail()).isEqualTo("taken over by PID 42");
		assertThat(this.deadline.lostVerification().currentHolder()).isEqualTo(other);
		assertThat(this.deadline.lostException("db").getHolder()).isEqualTo(other);
	}

	@Test
	void aLeaseMarkedLostHasNoTimeLeftAndCannotBeConfirmed() {
		this.deadline.markLost("gone", null);
		assertThat(this.deadline.isMarkedLost()).isTrue();
		assertThat(this.deadline.timeLeft()).contains(Duration.ZERO);
		assertThat(this.deadline.confirm(this.deadline.now())).isFalse();
	}

	@Test
	void ensureHeldFailsOnceTheDeadlineHasPassedWithoutAnyRemoteCall() {
		this.deadline.ensureHeld("db");
		advance(Duration.ofSeconds(10));
		assertThatExceptionOfType(LockException.class).isThrownBy(() -> this.deadline.ensureHeld("db"))
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
	}

	@Test
	void lostFactsAreRefusedWhileTheLeaseIsHeld() {
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(this.deadline::lostVerification);
	}

	@Test
	void aLeaseThatIsNotPositiveIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new LeaseDeadline(Duration.ZERO, 0, this.clock::get))
			.withMessageContaining("positive");
	}

	@Test
	void awaitGivesUpOnAnAnswerOnceTheLeaseHasRunOut() {
		advance(Duration.ofSeconds(10));
		CompletableFuture<String> never = new CompletableFuture<>();
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> this.deadline.await(never, SQLException.class, "no answer in time", SQLException::new))
			.withMessage("no answer in time");
	}

	@Test
	void awaitReturnsTheAnswerOrTheCallersOwnFailure() throws Exception {
		assertThat(this.deadline.await(CompletableFuture.completedFuture("row"), SQLException.class, "late",
				SQLException::new))
			.isEqualTo("row");
		SQLException refused = new SQLException("refused");
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> this.deadline.await(CompletableFuture.failedFuture(refused), SQLException.class, "late",
					SQLException::new))
			.isSameAs(refused);
		IllegalStateException bug = new IllegalStateException("bug");
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> this.deadline.await(CompletableFuture.failedFuture(bug), SQLException.class, "late",
					SQLException::new))
			.isSameAs(bug);
		Exception other = new Exception("checked");
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> this.deadline.await(CompletableFuture.failedFuture(other), SQLException.class, "late",
					SQLException::new))
			.withCause(other);
	}

	@Test
	void theTimerReportsTheDeadlineOnceWhenItPassesWithoutConfirmation() {
		AtomicInteger calls = new AtomicInteger();
		LeaseDeadline real = new LeaseDeadline(Duration.ofMillis(100), System.nanoTime(), System::nanoTime);
		real.onPassed(calls::incrementAndGet);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(calls).hasValue(1));
		assertThat(real.isMarkedLost()).isTrue();
		assertThat(real.lostVerification().detail()).startsWith("no renewal succeeded for");
	}

	@Test
	void theTimerWaitsForTheDeadlineAsMovedByConfirmations() {
		AtomicInteger calls = new AtomicInteger();
		LeaseDeadline moving = new LeaseDeadline(Duration.ofMillis(50), this.clock.get(), this.clock::get);
		moving.onPassed(calls::incrementAndGet);
		// The timer fires after 50 ms of real time, finds no time passed on the test's
		// clock and sets itself again; only the test's clock decides.
		await().pollDelay(Duration.ofMillis(120)).atMost(Duration.ofSeconds(10)).until(() -> true);
		assertThat(calls).hasValue(0);
		assertThat(moving.isMarkedLost()).isFalse();
		advance(Duration.ofMillis(50));
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(calls).hasValue(1));
	}

	@Test
	void aCallerThatNoticesTheDeadlineFirstStillTriggersTheListener() {
		AtomicInteger calls = new AtomicInteger();
		this.deadline.onPassed(calls::incrementAndGet);
		advance(Duration.ofSeconds(10));
		assertThat(this.deadline.hasPassed()).isTrue();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(calls).hasValue(1));
	}

	@Test
	void aLossMarkedByTheBackendOrACancelledListenerIsNotReportedByTheTimer() {
		AtomicInteger calls = new AtomicInteger();
		this.deadline.onPassed(calls::incrementAndGet);
		this.deadline.markLost("taken over", null);
		LeaseDeadline cancelled = new LeaseDeadline(Duration.ofSeconds(10), this.clock.get(), this.clock::get);
		cancelled.onPassed(calls::incrementAndGet);
		cancelled.onPassed(null);
		advance(Duration.ofSeconds(10));
		assertThat(cancelled.hasPassed()).isTrue();
		assertThat(calls).hasValue(0);
	}

	@Test
	void holderTrustsALeaseOfUpToFiveSecondsForFourFifthsOfIt() {
		assertThat(LeaseDeadline.trustedLease(Duration.ofSeconds(2))).isEqualTo(Duration.ofMillis(1600));
		assertThat(LeaseDeadline.trustedLease(Duration.ofSeconds(4))).isEqualTo(Duration.ofMillis(3200));
		assertThat(LeaseDeadline.trustedLease(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(4));
	}

	@Test
	void holderGivesALongerLeaseUpOneSecondEarly() {
		assertThat(LeaseDeadline.MAX_SAFETY_MARGIN).isEqualTo(Duration.ofSeconds(1));
		assertThat(LeaseDeadline.trustedLease(Duration.ofSeconds(6))).isEqualTo(Duration.ofSeconds(5));
		assertThat(LeaseDeadline.trustedLease(Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(59));
		assertThat(LeaseDeadline.trustedLease(Duration.ofDays(1))).isEqualTo(Duration.ofDays(1).minusSeconds(1));
	}

	@Test
	void holderStillTrustsATinyLeaseForSomeTime() {
		assertThat(LeaseDeadline.trustedLease(Duration.ofMillis(1))).isEqualTo(Duration.ofNanos(800_000));
		assertThat(LeaseDeadline.trustedLease(Duration.ofNanos(5))).isEqualTo(Duration.ofNanos(4));
		assertThat(LeaseDeadline.trustedLease(Duration.ofNanos(4))).isEqualTo(Duration.ofNanos(4));
		assertThat(LeaseDeadline.trustedLease(Duration.ofNanos(1))).isEqualTo(Duration.ofNanos(1));
	}

	@Test
	void aLeaseToTrustThatIsNotPositiveIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> LeaseDeadline.trustedLease(Duration.ofSeconds(-1)))
			.withMessageContaining("positive")
			.withMessageContaining("PT-1S");
		assertThatIllegalArgumentException().isThrownBy(() -> LeaseDeadline.trustedLease(Duration.ZERO))
			.withMessageContaining("positive");
	}

	@Test
	void deadlineWithASafetyMarginPassesBeforeTheLeaseEndsAndSaysSo() {
		LeaseDeadline margined = LeaseDeadline.withSafetyMargin(Duration.ofSeconds(2), this.clock.get(),
				this.clock::get);
		assertThat(margined.timeLeft()).contains(Duration.ofMillis(1600));
		advance(Duration.ofMillis(1599));
		assertThat(margined.hasPassed()).isFalse();
		advance(Duration.ofMillis(1));
		assertThat(margined.hasPassed()).isTrue();
		assertThat(margined.lostVerification().detail())
			.isEqualTo("no renewal succeeded for 1600 ms, too close to the end of the lease of PT2S; another "
					+ "instance may hold the lock now");
	}

	@Test
	void deadlineWithASafetyMarginKeepsTheBackendsWording() {
		LeaseDeadline session = LeaseDeadline.withSafetyMargin(Duration.ofSeconds(10), this.clock.get(),
				this.clock::get, (millis) -> "silent for " + millis + " ms");
		advance(Duration.ofSeconds(9));
		assertThat(session.hasPassed()).isTrue();
		assertThat(session.lostVerification().detail()).isEqualTo("silent for 9000 ms");
	}

	private void advance(Duration duration) {
		this.clock.addAndGet(duration.toNanos());
	}

}
