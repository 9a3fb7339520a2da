package io.forwardlock.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.forwardlock.diagnostics.LockStartupException;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LockAcquirer}.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LockAcquirerTests {

	private final InMemoryLockBackend backend = new InMemoryLockBackend();

	private final LockRequest request = LockRequest.named("orders").build();

	@Test
	void freeLockIsAcquiredAtTheFirstAttempt() {
		LockAcquisition acquisition = acquirer(new LockAcquisitionPolicy(3, Duration.ofSeconds(30), false, 75))
			.acquire(null);
		assertThat(acquisition.attempts()).isEqualTo(1);
		assertThat(acquisition.afterStandby()).isFalse();
		assertThat(this.backend.isHeld("orders")).isTrue();
	}

	@Test
	void retriesLogWhichAttemptFailedAndGiveUpAfterTheLast(CapturedOutput output) {
		this.backend.holdAsOther(this.request);
		assertThatExceptionOfType(LockStartupException.class)
			.isThrownBy(() -> acquirer(new LockAcquisitionPolicy(2, Duration.ofMillis(20), false, 75)).acquire(null))
			.satisfies((ex) -> {
				assertThat(ex.getType()).isEqualTo(LockErrorType.MAX_RETRIES_EXCEEDED);
				assertThat(ex.getSummary()).contains("after 3 attempts");
				assertThat(ex.getExitCode()).isEqualTo(75);
				assertThat(ex.getHolder().pid()).isEqualTo(ProcessHandle.current().pid());
			});
		assertThat(this.backend.tryAcquireCalls).hasValue(1 + 3);
		assertThat(output).contains("attempt 1 of 3 failed")
			.contains("attempt 2 of 3 failed")
			.doesNotContain("attempt 3 of 3 failed");
	}

	@Test
	void failFastStartMakesADecisiveAttemptSoThatABackendMayWatchACrashedHoldersLease() {
		LockLease crashed = this.backend.holdAsOther(this.request);
		// A backend that must watch the holder to tell whether it is alive (a Kubernetes
		// Lease) finds, while watching, that it is gone
		InMemoryLockBackend watching = new InMemoryLockBackend() {
			@Override
			public synchronized java.util.Optional<LockLease> tryAcquire(LockRequest request) {
				return LockAcquirerTests.this.backend.tryAcquire(request);
			}

			@Override
			public java.util.Optional<LockLease> tryAcquireDecisively(LockRequest request) {
				crashed.release();
				return LockAcquirerTests.this.backend.tryAcquire(request);
			}
		};
		LockAcquisition acquisition = new LockAcquirer(watching, this.request,
				new LockAcquisitionPolicy(0, Duration.ofSeconds(30), false, 75))
			.acquire(null);
		assertThat(acquisition.attempts()).isEqualTo(1);
		assertThat(acquisition.afterStandby()).isFalse();
	}

	@Test
	void acquisitionIsTimedFromWhenTheBackendGrantedTheLeaseNotFromWhenTheAttemptBegan() {
		// A decisive attempt may watch the holder for up to a lease duration before it
		// acquires: the lease counts from its grant, and so must its watch
		AtomicReference<Long> grantedAt = new AtomicReference<>();
		InMemoryLockBackend watching = new InMemoryLockBackend() {
			@Override
			public java.util.Optional<LockLease> tryAcquireDecisively(LockRequest request) {
				java.util.Optional<LockLease> lease = LockAcquirerTests.this.backend.tryAcquire(request);
				grantedAt.set(System.nanoTime());
				return lease;
			}
		};
		LockAcquisition acquisition = new LockAcquirer(watching, this.request,
				new LockAcquisitionPolicy(0, Duration.ofSeconds(30), false, 75))
			.acquire(null);
		long returnedAt = System.nanoTime();
		assertThat(acquisition.acquiredAtNanos() - grantedAt.get()).isNotNegative();
		assertThat(returnedAt - acquisition.acquiredAtNanos()).isNotNegative();
	}

	@Test
	void retrySucceedsOnceTheHolderIsGone() {
		LockLease other = this.backend.holdAsOther(this.request);
		InMemoryLockBackend releasing = new InMemoryLockBackend() {
			@Override
			public synchronized java.util.Optional<LockLease> tryAcquire(LockRequest request) {
				java.util.Optional<LockLease> result = LockAcquirerTests.this.backend.tryAcquire(request);
				other.release();
				return result;
			}
		};
		LockAcquisition acquisition = new LockAcquirer(releasing, this.request,
				new LockAcquisitionPolicy(5, Duration.ofMillis(10), false, 75))
			.acquire(null);
		assertThat(acquisition.attempts()).isEqualTo(2);
	}

	@Test
	void customExitCodeIsCarried() {
		this.backend.holdAsOther(this.request);
		assertThatExceptionOfType(LockStartupException.class)
			.isThrownBy(() -> acquirer(LockAcquisitionPolicy.failFast(99)).acquire(null))
			.satisfies((ex) -> assertThat(ex.getExitCode()).isEqualTo(99));
	}

	@Test
	void standbyWaitsWithoutPollingAndTakesOverWhenTheHolderReleases(CapturedOutput output) throws Exception {
		LockLease other = this.backend.holdAsOther(this.request);
		List<HolderRecord> announced = new CopyOnWriteArrayList<>();
		AtomicReference<LockAcquisition> result = new AtomicReference<>();
		Thread standby = new Thread(() -> result
			.set(acquirer(new LockAcquisitionPolicy(0, Duration.ofMillis(10), true, 75)).acquire(announced::add)));
		standby.start();
		await().atMost(Duration.ofSeconds(20)).until(() -> announced.size() == 1);
		assertThat(announced.get(0)).isEqualTo(other.holder());
		int callsWhileWaiting = this.backend.tryAcquireCalls.get();
		other.release();
		standby.join(20_000);
		assertThat(result.get()).isNotNull();
		assertThat(result.get().afterStandby()).isTrue();
		// One attempt before waiting, one when woken: no polling loop while the holder
		// lived
		assertThat(callsWhileWaiting).isLessThanOrEqualTo(3);
		assertThat(output).containsOnlyOnce("waiting on standby").contains("Took over lock 'orders'");
	}

	@Test
	void interruptingTheStandbyWaitFailsWithoutAcquiring() throws Exception {
		this.backend.holdAsOther(this.request);
		CountDownLatch waiting = new CountDownLatch(1);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		Thread standby = new Thread(() -> {
			try {
				acquirer(new LockAcquisitionPolicy(0, Duration.ofMillis(10), true, 75))
					.acquire((holder) -> waiting.countDown());
			}
			catch (Throwable ex) {
				failure.set(ex);
			}
		});
		standby.start();
		assertThat(waiting.await(20, TimeUnit.SECONDS)).isTrue();
		await().atMost(Duration.ofSeconds(20)).until(() -> standby.getState() == Thread.State.WAITING);
		standby.interrupt();
		standby.join(20_000);
		assertThat(failure.get()).isInstanceOfSatisfying(LockStartupException.class,
				(ex) -> assertThat(ex.getSummary()).contains("interrupted"));
	}

	@Test
	void standbyRidesOutBackendOutagesWithLoggedRetries(CapturedOutput output) throws Exception {
		LockLease other = this.backend.holdAsOther(this.request);
		this.backend.acquireFailures.add(LockErrors.backendUnavailable("memory:orders", "acquire the lock", null));
		this.backend.acquireFailures.add(LockErrors.backendUnavailable("memory:orders", "acquire the lock", null));
		AtomicReference<Object> result = new AtomicReference<>();
		Thread standby = new Thread(() -> {
			try {
				result.set(acquirer(new LockAcquisitionPolicy(0, Duration.ofMillis(10), true, 75)).acquire(null));
			}
			catch (Throwable ex) {
				result.set(ex);
			}
		});
		standby.start();
		await().atMost(Duration.ofSeconds(20))
			.until(() -> this.backend.acquireFailures.isEmpty() || result.get() != null);
		other.release();
		standby.join(20_000);
		assertThat(result.get()).isInstanceOfSatisfying(LockAcquisition.class,
				(acquisition) -> assertThat(acquisition.afterStandby()).isTrue());
		assertThat(output).contains("Could not wait for lock 'orders'").contains("retrying in");
	}

	@Test
	void unreachableBackendDoesNotExitWithTheCodeThatKeepsARestartAway() {
		InMemoryLockBackend unreachable = new InMemoryLockBackend() {
			@Override
			public synchronized Optional<LockLease> tryAcquire(LockRequest request) {
				throw LockErrors.backendUnavailable("memory:orders", "acquire the lock", null);
			}
		};
		assertThatExceptionOfType(LockStartupException.class)
			.isThrownBy(
					() -> new LockAcquirer(unreachable, this.request, LockAcquisitionPolicy.failFast(75)).acquire(null))
			.satisfies((ex) -> {
				assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE);
				assertThat(ex.getExitCode()).isEqualTo(1);
			});
	}

	@Test
	void setUpThatCannotWorkExitsLikeAnyInvalidSettingNotWithTheCodeThatNamesAHolder() {
		InMemoryLockBackend misconfigured = new InMemoryLockBackend() {
			@Override
			public synchronized Optional<LockLease> tryAcquire(LockRequest request) {
				throw LockErrors.invalidConfiguration("The lock table FORWARD_LOCK does not exist", "memory:orders");
			}
		};
		assertThatExceptionOfType(LockStartupException.class).isThrownBy(
				() -> new LockAcquirer(misconfigured, this.request, LockAcquisitionPolicy.failFast(75)).acquire(null))
			.satisfies((ex) -> {
				assertThat(ex.getType()).isEqualTo(LockErrorType.INVALID_CONFIGURATION);
				assertThat(ex.getExitCode()).isEqualTo(1);
			});
	}

	private LockAcquirer acquirer(LockAcquisitionPolicy policy) {
		return new LockAcquirer(this.backend, this.request, policy);
	}

}
