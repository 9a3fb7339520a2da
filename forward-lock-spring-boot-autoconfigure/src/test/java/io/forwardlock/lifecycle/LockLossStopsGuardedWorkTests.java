package io.forwardlock.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.context.SmartLifecycle;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests that a lost lock stops the lifecycle beans that started after it (the guarded
 * work) in a real application context.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LockLossStopsGuardedWorkTests {

	private final InMemoryLockBackend backend = new InMemoryLockBackend();

	private final LockRequest request = LockRequest.named("orders").build();

	private final List<String> handlerSaw = new CopyOnWriteArrayList<>();

	@Test
	void lossStopsTheGuardedWorkBeforeTheHandlerRunsAndLeavesEarlierPhasesAlone() {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			RecordingLifecycle guarded = new RecordingLifecycle(SmartLifecycle.DEFAULT_PHASE);
			RecordingLifecycle early = new RecordingLifecycle(ForwardLockLifecycle.PHASE - 1);
			context.registerBean("guarded", RecordingLifecycle.class, () -> guarded);
			context.registerBean("early", RecordingLifecycle.class, () -> early);
			context.registerBean("forwardLockLifecycle", ForwardLockLifecycle.class,
					() -> new ForwardLockLifecycle(this.backend, this.request, LockAcquisitionPolicy.failFast(75),
							Duration.ofMillis(50),
							(event) -> this.handlerSaw.add("guarded running=" + guarded.isRunning())));
			context.refresh();
			assertThat(guarded.isRunning()).isTrue();
			this.backend.verification = () -> Verification.lost("taken over", null);
			await().atMost(Duration.ofSeconds(20)).until(() -> !this.handlerSaw.isEmpty());
			assertThat(this.handlerSaw).containsExactly("guarded running=false");
			assertThat(guarded.stops).isEqualTo(1);
			assertThat(early.isRunning()).isTrue();
		}
	}

	@Test
	void standbyStartsTheGuardedWorkAgainOnceTheLockIsHeldAgain() throws Exception {
		CountDownLatch reacquired = new CountDownLatch(1);
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			RecordingLifecycle guarded = new RecordingLifecycle(SmartLifecycle.DEFAULT_PHASE);
			context.registerBean("guarded", RecordingLifecycle.class, () -> guarded);
			context.registerBean("forwardLockLifecycle", ForwardLockLifecycle.class,
					() -> new ForwardLockLifecycle(this.backend, this.request, LockAcquisitionPolicy.failFast(75),
							Duration.ofMillis(50), (event) -> {
								this.handlerSaw.add("guarded running=" + guarded.isRunning());
								this.backend.verification = Verification::held;
								((ForwardLockLifecycle) event.getSource()).standBy(reacquired::countDown);
							}));
			context.refresh();
			ForwardLockLifecycle lifecycle = context.getBean(ForwardLockLifecycle.class);
			assertThat(lifecycle.ensureHeld()).hasValue(1);
			this.backend.verification = () -> Verification.lost("taken over", null);
			assertThat(reacquired.await(20, TimeUnit.SECONDS)).isTrue();
			assertThat(this.handlerSaw).containsExactly("guarded running=false");
			assertThat(guarded.stops).isEqualTo(1);
			assertThat(guarded.starts).isEqualTo(2);
			assertThat(guarded.isRunning()).isTrue();
			assertThat(lifecycle.getStatus().state()).isEqualTo(LockState.ACQUIRED);
			assertThat(lifecycle.ensureHeld()).hasValue(2);
		}
		assertThat(this.backend.isHeld("orders")).isFalse();
	}

	@Test
	void lossWhileLaterPhasesAreStartingStopsWhatTheyStartOnceTheRefreshCompletes() {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			RecordingLifecycle guarded = new RecordingLifecycle(SmartLifecycle.DEFAULT_PHASE);
			context.registerBean("slow", LosesTheLockWhileStarting.class, LosesTheLockWhileStarting::new);
			context.registerBean("guarded", RecordingLifecycle.class, () -> guarded);
			context.registerBean("forwardLockLifecycle", ForwardLockLifecycle.class, this::recordingLifecycle);
			context.refresh();
			ForwardLockLifecycle lifecycle = context.getBean(ForwardLockLifecycle.class);
			assertThat(lifecycle.getStatus().state()).isEqualTo(LockState.LOST);
			assertThat(guarded.starts).isEqualTo(1);
			assertThat(guarded.isRunning()).as("guarded bean started after the loss").isFalse();
			assertThat(context.getBean(LosesTheLockWhileStarting.class).isRunning()).isFalse();
			// the reaction ran once, when the loss was reported
			assertThat(this.handlerSaw).containsExactly("lost");
		}
	}

	@Test
	void standbyStartsTheWorkThatStartedAfterALossOnceTheLockIsHeldAgain() throws Exception {
		CountDownLatch reacquired = new CountDownLatch(1);
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			RecordingLifecycle guarded = new RecordingLifecycle(SmartLifecycle.DEFAULT_PHASE);
			context.registerBean("slow", LosesTheLockWhileStarting.class, LosesTheLockWhileStarting::new);
			context.registerBean("guarded", RecordingLifecycle.class, () -> guarded);
			context.registerBean("forwardLockLifecycle", ForwardLockLifecycle.class,
					() -> new ForwardLockLifecycle(this.backend, this.request, LockAcquisitionPolicy.failFast(75),
							Duration.ofMillis(50), (event) -> this.handlerSaw.add("lost")));
			context.refresh();
			ForwardLockLifecycle lifecycle = context.getBean(ForwardLockLifecycle.class);
			assertThat(guarded.isRunning()).isFalse();
			this.backend.verification = Verification::held;
			lifecycle.standBy(reacquired::countDown);
			assertThat(reacquired.await(20, TimeUnit.SECONDS)).isTrue();
			assertThat(lifecycle.getStatus().state()).isEqualTo(LockState.ACQUIRED);
			assertThat(guarded.isRunning()).isTrue();
			assertThat(guarded.starts).isEqualTo(2);
			assertThat(context.getBean(LosesTheLockWhileStarting.class).isRunning()).isTrue();
		}
	}

	@Test
	void lossStopsTheGuardedWorkOfAChildContextThatSharesTheLock() {
		try (GenericApplicationContext parent = new GenericApplicationContext()) {
			parent.registerBean("forwardLockLifecycle", ForwardLockLifecycle.class, this::recordingLifecycle);
			parent.refresh();
			try (GenericApplicationContext child = new GenericApplicationContext()) {
				child.setParent(parent);
				RecordingLifecycle guarded = new RecordingLifecycle(SmartLifecycle.DEFAULT_PHASE);
				child.registerBean("guarded", RecordingLifecycle.class, () -> guarded);
				child.refresh();
				assertThat(guarded.isRunning()).isTrue();
				this.backend.verification = () -> Verification.lost("taken over", null);
				await().atMost(Duration.ofSeconds(20)).until(() -> !this.handlerSaw.isEmpty());
				assertThat(parent.getBean(ForwardLockLifecycle.class).isHeld()).isFalse();
				assertThat(guarded.isRunning()).as("child context's guarded bean after the loss").isFalse();
				assertThat(guarded.stops).isEqualTo(1);
			}
		}
	}

	@Test
	void childContextThatSharesTheLockAndStartsAfterALossDoesNotRunItsGuardedWork() {
		try (GenericApplicationContext parent = new GenericApplicationContext()) {
			parent.registerBean("forwardLockLifecycle", ForwardLockLifecycle.class, this::recordingLifecycle);
			parent.refresh();
			this.backend.verification = () -> Verification.lost("taken over", null);
			await().atMost(Duration.ofSeconds(20)).until(() -> !this.handlerSaw.isEmpty());
			try (GenericApplicationContext child = new GenericApplicationContext()) {
				child.setParent(parent);
				RecordingLifecycle guarded = new RecordingLifecycle(SmartLifecycle.DEFAULT_PHASE);
				child.registerBean("guarded", RecordingLifecycle.class, () -> guarded);
				child.refresh();
				assertThat(guarded.starts).isEqualTo(1);
				assertThat(guarded.isRunning()).as("guarded bean of a child started after the loss").isFalse();
			}
		}
	}

	@Test
	void childContextWithALockOfItsOwnKeepsItsGuardedWorkWhenItsParentLosesTheLock() {
		try (GenericApplicationContext parent = new GenericApplicationContext()) {
			parent.registerBean("forwardLockLifecycle", ForwardLockLifecycle.class, this::recordingLifecycle);
			parent.refresh();
			try (GenericApplicationContext child = new GenericApplicationContext()) {
				child.setParent(parent);
				RecordingLifecycle guarded = new RecordingLifecycle(SmartLifecycle.DEFAULT_PHASE);
				child.registerBean("guarded", RecordingLifecycle.class, () -> guarded);
				child.registerBean("childLockLifecycle", ForwardLockLifecycle.class,
						() -> new ForwardLockLifecycle(this.backend, LockRequest.named("invoices").build(),
								LockAcquisitionPolicy.failFast(75), Duration.ofHours(1), (event) -> {
								}));
				child.refresh();
				this.backend.verification = () -> Verification.lost("taken over", null);
				await().atMost(Duration.ofSeconds(20)).until(() -> !this.handlerSaw.isEmpty());
				assertThat(parent.getBean(ForwardLockLifecycle.class).isHeld()).isFalse();
				assertThat(guarded.isRunning()).as("guarded bean of the child's own lock").isTrue();
			}
		}
	}

	@Test
	void guardedWorkOfAClosedChildContextIsNotStartedAgain() throws Exception {
		CountDownLatch reacquired = new CountDownLatch(1);
		try (GenericApplicationContext parent = new GenericApplicationContext()) {
			parent.registerBean("forwardLockLifecycle", ForwardLockLifecycle.class, this::recordingLifecycle);
			parent.refresh();
			ForwardLockLifecycle lifecycle = parent.getBean(ForwardLockLifecycle.class);
			RecordingLifecycle guarded = new RecordingLifecycle(SmartLifecycle.DEFAULT_PHASE);
			try (GenericApplicationContext child = new GenericApplicationContext()) {
				child.setParent(parent);
				child.registerBean("guarded", RecordingLifecycle.class, () -> guarded);
				child.refresh();
				this.backend.verification = () -> Verification.lost("taken over", null);
				await().atMost(Duration.ofSeconds(20)).until(() -> !this.handlerSaw.isEmpty());
				assertThat(guarded.isRunning()).isFalse();
			}
			this.backend.verification = Verification::held;
			lifecycle.standBy(reacquired::countDown);
			assertThat(reacquired.await(20, TimeUnit.SECONDS)).isTrue();
			assertThat(guarded.starts).isEqualTo(1);
			assertThat(guarded.isRunning()).isFalse();
		}
	}

	@Test
	void guardedWorkCannotPassTheCheckAfterALoss() {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			context.registerBean("forwardLockLifecycle", ForwardLockLifecycle.class,
					() -> new ForwardLockLifecycle(this.backend, this.request, LockAcquisitionPolicy.failFast(75),
							Duration.ofMillis(50), (event) -> this.handlerSaw.add("lost")));
			context.refresh();
			ForwardLock lock = context.getBean(ForwardLock.class);
			assertThat(lock.isHeld()).isTrue();
			this.backend.verification = () -> Verification.lost("taken over", null);
			await().atMost(Duration.ofSeconds(20)).until(() -> !this.handlerSaw.isEmpty());
			assertThat(lock.isHeld()).isFalse();
			assertThatExceptionOfType(LockException.class).isThrownBy(lock::ensureHeld)
				.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
		}
	}

	private ForwardLockLifecycle recordingLifecycle() {
		// as on-lost=mark-down: the handler only records; the process keeps running
		return new ForwardLockLifecycle(this.backend, this.request, LockAcquisitionPolicy.failFast(75),
				Duration.ofMillis(50), (event) -> this.handlerSaw.add("lost"));
	}

	/**
	 * A lifecycle bean of an earlier phase than the guarded one that takes a while to
	 * start, as a listener container connecting to its broker does; the lock is lost and
	 * the loss reported while it starts.
	 */
	class LosesTheLockWhileStarting implements SmartLifecycle {

		private volatile boolean running;

		@Override
		public void start() {
			if (LockLossStopsGuardedWorkTests.this.handlerSaw.isEmpty()) {
				LockLossStopsGuardedWorkTests.this.backend.verification = () -> Verification.lost("taken over", null);
				await().atMost(Duration.ofSeconds(20))
					.until(() -> !LockLossStopsGuardedWorkTests.this.handlerSaw.isEmpty());
			}
			this.running = true;
		}

		@Override
		public void stop() {
			this.running = false;
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

		@Override
		public int getPhase() {
			return SmartLifecycle.DEFAULT_PHASE - 1;
		}

	}

	/**
	 * A lifecycle bean that counts its starts and stops.
	 */
	static class RecordingLifecycle implements SmartLifecycle {

		private final int phase;

		volatile boolean running;

		volatile int starts;

		volatile int stops;

		RecordingLifecycle(int phase) {
			this.phase = phase;
		}

		@Override
		public void start() {
			this.starts++;
			this.running = true;
		}

		@Override
		public void stop() {
			this.stops++;
			this.running = false;
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

		@Override
		public int getPhase() {
			return this.phase;
		}

	}

}
