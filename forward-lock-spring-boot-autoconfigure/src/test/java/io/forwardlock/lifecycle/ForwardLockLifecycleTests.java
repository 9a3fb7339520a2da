package io.forwardlock.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.forwardlock.diagnostics.LockStartupException;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.SmartLifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ForwardLockLifecycle}.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForwardLockLifecycleTests {

	private static final Duration NEVER = Duration.ofHours(1);

	private final InMemoryLockBackend backend = new InMemoryLockBackend();

	private final LockRequest request = LockRequest.named("orders")
		.heartbeatInterval(Duration.ofMillis(100))
		.staleTimeout(Duration.ofMillis(400))
		.build();

	private final List<Object> events = new CopyOnWriteArrayList<>();

	private final List<LockLostEvent> handled = new CopyOnWriteArrayList<>();

	private ForwardLockLifecycle lifecycle;

	@AfterEach
	void stopLifecycle() {
		if (this.lifecycle != null) {
			this.lifecycle.destroy();
		}
	}

	@Test
	void phaseIsBeforeTheWebServerAndEveryDefaultPhase() {
		ForwardLockLifecycle created = create(LockAcquisitionPolicy.failFast(75), NEVER);
		assertThat(created.getPhase()).isEqualTo(ForwardLockLifecycle.PHASE)
			.isLessThan(SmartLifecycle.DEFAULT_PHASE - 2048)
			.isLessThan(0);
		assertThat(created.isAutoStartup()).isTrue();
	}

	@Test
	void startAcquiresTheLockAndPublishesTheAcquiredEvent() {
		this.lifecycle = create(LockAcquisitionPolicy.failFast(75), NEVER);
		this.lifecycle.start();
		assertThat(this.lifecycle.isRunning()).isTrue();
		assertThat(this.backend.isHeld("orders")).isTrue();
		LockStatus status = this.lifecycle.getStatus();
		assertThat(status.state()).isEqualTo(LockState.ACQUIRED);
		assertThat(status.holder().pid()).isEqualTo(ProcessHandle.current().pid());
		assertThat(status.fencingToken()).isEqualTo(1L);
		assertThat(status.location()).isEqualTo("memory:orders");
		assertThat(this.events).singleElement().isInstanceOfSatisfying(LockAcquiredEvent.class, (event) -> {
			assertThat(event.getAttempts()).isEqualTo(1);
			assertThat(event.isAfterStandby()).isFalse();
			assertThat(event.getAcquireDuration().isNegative()).isFalse();
			assertThat(event.getHolder().pid()).isEqualTo(ProcessHandle.current().pid());
		});
	}

	@Test
	void startAndStopAreIdempotent() {
		this.lifecycle = create(LockAcquisitionPolicy.failFast(75), NEVER);
		this.lifecycle.start();
		this.lifecycle.start();
		this.lifecycle.stop();
		this.lifecycle.stop();
		assertThat(this.backend.tryAcquireCalls).hasValue(1);
		assertThat(this.events).map(Object::getClass).containsExactly(LockAcquiredEvent.class, LockReleasedEvent.class);
		assertThat(this.lifecycle.getStatus().state()).isEqualTo(LockState.RELEASED);
	}

	@Test
	void stopOnAnotherThreadReleasesTheLock() throws InterruptedException {
		this.lifecycle = create(LockAcquisitionPolicy.failFast(75), NEVER);
		this.lifecycle.start();
		Thread shutdownHook = new Thread(this.lifecycle::stop, "shutdown-hook-like");
		shutdownHook.start();
		shutdownHook.join(10_000);
		assertThat(this.backend.isHeld("orders")).isFalse();
		assertThat(this.lifecycle.isRunning()).isFalse();
	}

	@Test
	void canStartAgainAfterStop() {
		this.lifecycle = create(LockAcquisitionPolicy.failFast(75), NEVER);
		this.lifecycle.start();
		this.lifecycle.stop();
		this.lifecycle.start();
		assertThat(this.backend.isHeld("orders")).isTrue();
		assertThat(this.lifecycle.getStatus().state()).isEqualTo(LockState.ACQUIRED);
	}

	@Test
	void startWhenHeldElsewhereFailsWithTheExitCodeAndPublishesTheFailure() {
		HolderRecord other = this.backend.holdAsOther(this.request).holder();
		this.lifecycle = create(LockAcquisitionPolicy.failFast(75), NEVER);
		assertThatExceptionOfType(LockStartupException.class).isThrownBy(this.lifecycle::start).satisfies((ex) -> {
			assertThat(ex.getExitCode()).isEqualTo(75);
			assertThat(ex.getType()).isEqualTo(LockErrorType.INSTANCE_RUNNING);
			assertThat(ex.getHolder()).isEqualTo(other);
		});
		assertThat(this.lifecycle.isRunning()).isFalse();
		assertThat(this.lifecycle.keeper().reporter().acquireFailureCount.get()).isEqualTo(1);
		assertThat(this.events).singleElement().isInstanceOf(LockAcquireFailedEvent.class);
	}

	@Test
	void earlyAcquisitionIsTakenOverAndReleasedOnStop() {
		LockLease early = this.backend.tryAcquire(this.request).orElseThrow();
		this.lifecycle = create(LockAcquisitionPolicy.failFast(75), NEVER);
		this.lifecycle
			.setEarlyAcquisition(() -> new LockAcquisition(early, System.nanoTime(), Duration.ofMillis(3), 1, false));
		this.lifecycle.start();
		assertThat(this.backend.tryAcquireCalls).hasValue(1);
		assertThat(this.lifecycle.getStatus().holder()).isEqualTo(early.holder());
		this.lifecycle.stop();
		assertThat(early.isReleased()).isTrue();
	}

	@Test
	void earlyAcquisitionIsRenewedAsSoonAsItIsTakenOverWhenTheHeartbeatRuns() {
		// Nothing renewed the lease while the context was refreshed: a renewal one
		// interval after the takeover may come after the lease ran out
		this.backend.requiresHeartbeat = true;
		this.lifecycle = create(hourlyHeartbeat(), LockAcquisitionPolicy.failFast(75), NEVER);
		this.lifecycle.setEarlyAcquisition(() -> takenEarly(hourlyHeartbeat()));
		this.lifecycle.start();
		await().atMost(Duration.ofSeconds(20)).until(() -> this.backend.heartbeats.get() == 1);
		assertThat(this.lifecycle.getStatus().lastHeartbeatAt()).isNotNull();
		assertThat(this.handled).isEmpty();
	}

	@Test
	void earlyAcquisitionIsWatchedFromWhenItWasTakenNotFromWhenTheLifecycleTookItOver() {
		// taken five stale timeouts before the lifecycle starts (a long start-up), and
		// never renewed since: the loss counts that time, as a contender would
		this.backend.requiresHeartbeat = true;
		this.backend.heartbeatFailure = LockErrors.backendUnavailable("memory:orders", "renew the lease", null);
		Duration startUp = this.request.staleTimeout().multipliedBy(5);
		LockLease early = this.backend.tryAcquire(this.request).orElseThrow();
		long takenAt = System.nanoTime() - startUp.toNanos();
		this.lifecycle = create(LockAcquisitionPolicy.failFast(75), NEVER);
		this.lifecycle.setEarlyAcquisition(() -> new LockAcquisition(early, takenAt, Duration.ofMillis(3), 1, false));
		this.lifecycle.start();
		await().atMost(Duration.ofSeconds(20)).until(() -> this.handled.size() == 1);
		Matcher silence = Pattern.compile(" for (\\d+) ms").matcher(this.handled.get(0).getReason());
		assertThat(silence.find()).as(this.handled.get(0).getReason()).isTrue();
		assertThat(Long.parseLong(silence.group(1))).isGreaterThanOrEqualTo(startUp.toMillis());
	}

	@Test
	void failedRenewalOfATakenOverEarlyAcquisitionIsToleratedAsAnyFailedRenewal() {
		this.backend.requiresHeartbeat = true;
		this.backend.heartbeatFailure = LockErrors.backendUnavailable("memory:orders", "renew the lease", null);
		this.lifecycle = create(hourlyHeartbeat(), LockAcquisitionPolicy.failFast(75), NEVER);
		this.lifecycle.setEarlyAcquisition(() -> takenEarly(hourlyHeartbeat()));
		this.lifecycle.start();
		await().atMost(Duration.ofSeconds(20))
			.until(() -> this.events.stream().anyMatch(LockHeartbeatFailedEvent.class::isInstance));
		assertThat(this.events).filteredOn(LockHeartbeatFailedEvent.class::isInstance)
			.singleElement()
			.satisfies((event) -> assertThat(((LockHeartbeatFailedEvent) event).getConsecutiveFailures()).isOne());
		assertThat(this.lifecycle.getStatus().state()).isEqualTo(LockState.ACQUIRED);
		assertThat(this.handled).isEmpty();
	}

	@Test
	void renewalOfATakenOverEarlyAcquisitionThatFindsTheLockTakenOverIsALossAtOnce() {
		this.backend.requiresHeartbeat = true;
		this.backend.heartbeatFailure = LockErrors.lockLost("memory:orders", "the row carries another token", null);
		this.lifecycle = create(hourlyHeartbeat(), LockAcquisitionPolicy.failFast(75), NEVER);
		this.lifecycle.setEarlyAcquisition(() -> takenEarly(hourlyHeartbeat()));
		this.lifecycle.start();
		await().atMost(Duration.ofSeconds(20)).until(() -> this.handled.size() == 1);
		assertThat(this.handled.get(0).getReason()).contains("the row carries another token");
		assertThat(this.lifecycle.getStatus().state()).isEqualTo(LockState.LOST);
	}

	@Test
	void destroyReleasesALockThatWasNeverStopped() {
		this.lifecycle = create(LockAcquisitionPolicy.failFast(75), NEVER);
		this.lifecycle.start();
		this.lifecycle.destroy();
		assertThat(this.backend.isHeld("orders")).isFalse();
	}

	@Test
	void lostVerificationIsReportedOnceAndHandedToTheHandler(CapturedOutput output) {
		this.lifecycle = create(LockAcquisitionPolicy.failFast(75), NEVER);
		this.lifecycle.start();
		HolderRecord thief = HolderRecord.ofPid(4242);
		this.backend.verification = () -> Verification.lost("lock file replaced", thief);
		this.lifecycle.keeper().watchdog().verifyNow();
		this.lifecycle.keeper().watchdog().verifyNow();
		assertThat(this.lifecycle.getStatus().state()).isEqualTo(LockState.LOST);
		assertThat(this.lifecycle.getStatus().isHealthy()).isFalse();
		assertThat(this.lifecycle.keeper().reporter().lostCount.get()).isEqualTo(1);
		assertThat(this.handled).singleElement().satisfies((event) -> {
			assertThat(event.getReason()).isEqualTo("lock file replaced");
			assertThat(event.getNewHolder()).isEqualTo(thief);
		});
		assertThat(this.events).filteredOn(LockLostEvent.class::isInstance).hasSize(1);
		assertThat(output).contains("ERROR").contains("LOCK_LOST").contains("lock file replaced");
		this.lifecycle.stop();
		assertThat(this.events).noneMatch(LockReleasedEvent.class::isInstance);
		this.backend.verification = Verification::held;
		this.lifecycle.start();
		assertThat(this.lifecycle.getStatus().isHealthy()).isTrue();
		assertThat(this.lifecycle.getStatus().lastVerification()).isNull();
	}

	@Test
	void healedVerificationOnlyWarns(CapturedOutput output) {
		this.lifecycle = create(LockAcquisitionPolicy.failFast(75), NEVER);
		this.lifecycle.start();
		this.backend.verification = () -> Verification.healed("lock file re-created");
		this.lifecycle.keeper().watchdog().verifyNow();
		assertThat(this.lifecycle.getStatus().state()).isEqualTo(LockState.ACQUIRED);
		assertThat(this.lifecycle.getStatus().isHealthy()).isTrue();
		assertThat(this.lifecycle.getStatus().lastVerification().status()).isEqualTo(Verification.Status.HEALED);
		assertThat(this.handled).isEmpty();
		assertThat(output).contains("WARN").contains("was repaired").contains("lock file re-created");
		assertThat(output).doesNotContain("ERROR");
	}

	@Test
	void verificationRunsPeriodically() {
		this.lifecycle = create(LockAcquisitionPolicy.failFast(75), Duration.ofMillis(50));
		this.lifecycle.start();
		await().atMost(Duration.ofSeconds(20)).until(() -> this.lifecycle.getStatus().lastVerification() != null);
		this.backend.verification = () -> Verification.lost("taken over", null);
		await().atMost(Duration.ofSeconds(20)).until(() -> this.handled.size() == 1);
	}

	@Test
	void backendFailuresAreToleratedUntilTheStaleTimeoutHasPassed(CapturedOutput output) {
		this.lifecycle = create(LockAcquisitionPolicy.failFast(75), NEVER);
		this.lifecycle.start();
		this.backend.verification = () -> {
			throw LockErrors.backendUnavailable("memory:orders", "query the lock row", null);
		};
		this.lifecycle.keeper().watchdog().verifyNow();
		assertThat(this.lifecycle.getStatus().state()).isEqualTo(LockState.ACQUIRED);
		assertThat(output).contains("Could not verify lock 'orders'").contains("retrying");
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
			this.lifecycle.keeper().watchdog().verifyNow();
			return this.lifecycle.getStatus().state() == LockState.LOST;
		});
		assertThat(this.handled).singleElement()
			.satisfies((event) -> assertThat(event.getReason()).contains("exceeds the stale timeout"));
	}

	@Test
	void failingRenewalsLoseTheLockOnceTheLeaseWouldHaveExpiredEvenIfVerificationsPass() {
		this.backend.requiresHeartbeat = true;
		this.backend.heartbeatFailure = LockErrors.backendUnavailable("memory:orders", "renew the lease", null);
		this.lifecycle = create(LockAcquisitionPolicy.failFast(75), NEVER);
		this.lifecycle.start();
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
			this.lifecycle.keeper().watchdog().verifyNow();
			return !this.handled.isEmpty();
		});
		assertThat(this.handled).singleElement()
			.satisfies((event) -> assertThat(event.getReason()).contains("stale timeout"));
		assertThat(this.lifecycle.keeper().reporter().heartbeatFailureCount.get()).isGreaterThanOrEqualTo(2);
	}

	@Test
	void heartbeatRunsWhenTheBackendRequiresItEvenIfDisabled() {
		this.backend.requiresHeartbeat = true;
		this.lifecycle = create(LockAcquisitionPolicy.failFast(75), NEVER);
		assertThat(this.request.heartbeatEnabled()).isFalse();
		assertThat(this.lifecycle.isHeartbeatEnabled()).isTrue();
		this.lifecycle.start();
		await().atMost(Duration.ofSeconds(20)).until(() -> this.backend.heartbeats.get() >= 2);
		assertThat(this.lifecycle.getStatus().lastHeartbeatAt()).isNotNull();
	}

	@Test
	void heartbeatIsOffWhenDisabledAndNotRequired() {
		this.lifecycle = create(LockAcquisitionPolicy.failFast(75), NEVER);
		assertThat(this.lifecycle.isHeartbeatEnabled()).isFalse();
	}

	@Test
	void heartbeatFailuresArePublishedAndCounted() {
		this.lifecycle = create(LockAcquisitionPolicy.failFast(75), NEVER);
		this.lifecycle.start();
		this.backend.heartbeatFailure = LockErrors.backendUnavailable("memory:orders", "renew the lease", null);
		this.lifecycle.keeper().watchdog().heartbeatNow();
		this.lifecycle.keeper().watchdog().heartbeatNow();
		assertThat(this.lifecycle.keeper().reporter().heartbeatFailureCount.get()).isEqualTo(2);
		assertThat(this.events).filteredOn(LockHeartbeatFailedEvent.class::isInstance)
			.map((event) -> ((LockHeartbeatFailedEvent) event).getConsecutiveFailures())
			.containsExactly(1, 2);
		this.backend.heartbeatFailure = null;
		this.lifecycle.keeper().watchdog().heartbeatNow();
		assertThat(this.lifecycle.getStatus().lastHeartbeatAt()).isNotNull();
		assertThat(this.lifecycle.getStatus().state()).isEqualTo(LockState.ACQUIRED);
	}

	@Test
	void renewalThatFindsTheLockTakenOverIsALossAtOnce() {
		this.backend.requiresHeartbeat = true;
		LockRequest longLease = LockRequest.named("orders").staleTimeout(Duration.ofHours(1)).build();
		this.lifecycle = new ForwardLockLifecycle(this.backend, longLease, LockAcquisitionPolicy.failFast(75), NEVER,
				this.handled::add);
		this.lifecycle.start();
		this.backend.heartbeatFailure = LockErrors.lockLost("memory:orders", "the row carries another token", null);
		this.lifecycle.keeper().watchdog().heartbeatNow();
		assertThat(this.handled).singleElement()
			.satisfies((event) -> assertThat(event.getReason()).contains("the row carries another token"));
		assertThat(this.lifecycle.getStatus().state()).isEqualTo(LockState.LOST);
	}

	@Test
	void hungRenewalIsALossAtTheLocalDeadlineWithoutWaitingForTheNextCheck() {
		CountDownLatch hung = new CountDownLatch(1);
		this.backend.requiresHeartbeat = true;
		this.backend.heartbeatGate = hung;
		try {
			this.lifecycle = create(LockAcquisitionPolicy.failFast(75), NEVER);
			this.lifecycle.start();
			await().atMost(Duration.ofSeconds(20)).until(() -> this.handled.size() == 1);
			assertThat(this.handled.get(0).getReason()).contains("stale timeout");
		}
		finally {
			hung.countDown();
		}
	}

	private ForwardLockLifecycle create(LockAcquisitionPolicy policy, Duration verifyInterval) {
		return create(this.backend, policy, verifyInterval);
	}

	private ForwardLockLifecycle create(LockRequest request, LockAcquisitionPolicy policy, Duration verifyInterval) {
		ForwardLockLifecycle created = new ForwardLockLifecycle(this.backend, request, policy, verifyInterval,
				this.handled::add);
		created.setApplicationEventPublisher(this.events::add);
		return created;
	}

	/**
	 * A request whose heartbeat, when it runs, renews only once an hour: no periodic
	 * renewal runs during a test.
	 */
	private static LockRequest hourlyHeartbeat() {
		return LockRequest.named("orders").heartbeatInterval(NEVER).staleTimeout(NEVER.multipliedBy(2)).build();
	}

	private LockAcquisition takenEarly(LockRequest request) {
		return new LockAcquisition(this.backend.tryAcquire(request).orElseThrow(), System.nanoTime(),
				Duration.ofMillis(3), 1, false);
	}

	private ForwardLockLifecycle create(LockBackend backend, LockAcquisitionPolicy policy, Duration verifyInterval) {
		ForwardLockLifecycle created = new ForwardLockLifecycle(backend, this.request, policy, verifyInterval,
				this.handled::add);
		created.setApplicationEventPublisher(this.events::add);
		return created;
	}

}
