package io.forwardlock.lifecycle;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import io.forwardlock.lifecycle.LockLossStopsGuardedWorkTests.RecordingLifecycle;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that {@code on-lost=standby} starts the guarded work again only while the lock it
 * took over is still held and the context is neither closing nor stopped, and that a
 * context stopped meanwhile starts normally again. The backend runs hooks right after the
 * takeover: while the standby thread holds the lease it took but has not handed it to the
 * keeper, and when the keeper starts watching the lease, before the work is started
 * again: the moments at which a loss, a stop or a shutdown could slip in.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StandbyRestartTests {

	private final InMemoryLockBackend memory = new InMemoryLockBackend();

	private final LockRequest request = LockRequest.named("orders").build();

	private final AtomicInteger acquisitions = new AtomicInteger();

	private final CountDownLatch lossesPublished = new CountDownLatch(2);

	private final CountDownLatch reacquired = new CountDownLatch(1);

	private volatile BiConsumer<LockLease, Runnable> afterTakeover;

	private volatile Runnable whileTakingOver;

	private volatile Thread standbyThread;

	private volatile LockLease otherHolder;

	@AfterEach
	void releaseOtherHolder() {
		if (this.otherHolder != null) {
			this.otherHolder.release();
		}
	}

	@Test
	void lossRightAfterTheStandbyTakeoverKeepsTheGuardedWorkStoppedWhileOnStandbyAgain() throws Exception {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			RecordingLifecycle guarded = new RecordingLifecycle(SmartLifecycle.DEFAULT_PHASE);
			ForwardLockLifecycle lifecycle = start(context, guarded);
			this.afterTakeover = (lease, verifySoon) -> {
				// another instance takes the lock over at once, and the loss is reported
				this.memory.verification = () -> Verification.lost("taken over again", null);
				lease.release();
				this.otherHolder = this.memory.holdAsOther(this.request);
				verifySoon.run();
				awaitLatch(this.lossesPublished);
			};
			loseTheLock(lifecycle);
			awaitStandbyTakeover();
			await().atMost(Duration.ofSeconds(20)).until(() -> lifecycle.getStatus().state() == LockState.STANDBY);
			assertThat(lifecycle.isHeld()).isFalse();
			assertThat(guarded.isRunning()).as("guarded work while this instance waits on standby").isFalse();
			assertThat(guarded.starts).isEqualTo(1);
			assertThat(this.reacquired.getCount()).as("reacquired reported while on standby").isOne();
		}
	}

	@Test
	void closeDuringTheStandbyTakeoverDoesNotStartTheGuardedWorkAgain() throws Exception {
		RecordingLifecycle guarded = new RecordingLifecycle(SmartLifecycle.DEFAULT_PHASE);
		GenericApplicationContext context = new GenericApplicationContext();
		Thread closer = new Thread(context::close, "closer");
		try {
			ForwardLockLifecycle lifecycle = start(context, guarded);
			// the context closes; its stop of the lock waits for the takeover to end
			loseTheLockAndRunDuringTheTakeover(lifecycle, closer);
			assertThat(guarded.isRunning()).as("guarded work after the context closed").isFalse();
			assertThat(guarded.starts).isEqualTo(1);
			assertThat(this.memory.isHeld("orders")).isFalse();
		}
		finally {
			context.close();
		}
	}

	@Test
	void stopDuringTheStandbyTakeoverLeavesTheGuardedWorkStoppedUntilTheContextStartsAgain() throws Exception {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			RecordingLifecycle guarded = new RecordingLifecycle(SmartLifecycle.DEFAULT_PHASE);
			ForwardLockLifecycle lifecycle = start(context, guarded);
			// the context is stopped; it finds the guarded work stopped, and its stop of
			// the lock waits for the takeover to end
			loseTheLockAndRunDuringTheTakeover(lifecycle, new Thread(context::stop, "stopper"));
			assertThat(guarded.isRunning()).as("guarded work after the context stopped").isFalse();
			assertThat(this.memory.isHeld("orders")).isFalse();
			context.start();
			assertThat(lifecycle.getStatus().state()).isEqualTo(LockState.ACQUIRED);
			assertThat(lifecycle.isHeld()).isTrue();
			assertThat(guarded.isRunning()).as("guarded work after the context started again").isTrue();
		}
	}

	@Test
	void startRightAfterAStopThatInterruptedTheStandbyTakeoverStartsTheGuardedWorkAgain() throws Exception {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			RecordingLifecycle guarded = new RecordingLifecycle(SmartLifecycle.DEFAULT_PHASE);
			ForwardLockLifecycle lifecycle = start(context, guarded);
			AtomicReference<Throwable> startFailure = new AtomicReference<>();
			Thread starter = new Thread(() -> {
				try {
					context.start();
				}
				catch (RuntimeException ex) {
					startFailure.set(ex);
				}
			}, "starter");
			this.whileTakingOver = () -> {
				// the standby holds the lease it took but has not handed it to the
				// keeper:
				// the context is stopped, then started again
				this.standbyThread = Thread.currentThread();
				Thread stopper = new Thread(context::stop, "stopper");
				stopper.start();
				joinUninterruptibly(stopper);
				starter.start();
				await().atMost(Duration.ofSeconds(20))
					.until(() -> starter.getState() == Thread.State.TERMINATED || waitsForAThreadToEnd(starter));
			};
			loseTheLock(lifecycle);
			awaitStandbyTakeover();
			starter.join(TimeUnit.SECONDS.toMillis(20));
			assertThat(starter.isAlive()).isFalse();
			assertThat(startFailure.get()).as("failure of context.start()").isNull();
			assertThat(lifecycle.getStatus().state()).isEqualTo(LockState.ACQUIRED);
			assertThat(lifecycle.isHeld()).isTrue();
			assertThat(guarded.isRunning()).as("guarded work after the context started again").isTrue();
			assertThat(this.reacquired.getCount()).as("reacquired reported by the interrupted standby").isOne();
		}
	}

	private ForwardLockLifecycle start(GenericApplicationContext context, RecordingLifecycle guarded) {
		context.registerBean("guarded", RecordingLifecycle.class, () -> guarded);
		context.registerBean("forwardLockLifecycle", ForwardLockLifecycle.class,
				() -> new ForwardLockLifecycle(new HookedBackend(), this.request, LockAcquisitionPolicy.failFast(75),
						Duration.ofHours(1), (event) -> {
							// as on-lost=standby
							this.memory.verification = Verification::held;
							((ForwardLockLifecycle) event.getSource()).standBy(this.reacquired::countDown);
						}));
		context
			.addApplicationListener((ApplicationListener<LockLostEvent>) (event) -> this.lossesPublished.countDown());
		context.refresh();
		assertThat(guarded.isRunning()).isTrue();
		return context.getBean(ForwardLockLifecycle.class);
	}

	private void loseTheLock(ForwardLockLifecycle lifecycle) {
		this.memory.verification = () -> Verification.lost("taken over", null);
		lifecycle.keeper().watchdog().verifyNow();
	}

	/**
	 * Lose the lock and, once the standby has taken it over and before the guarded work
	 * is started again, start a thread that waits for the keeper's lock; wait for both to
	 * end.
	 */
	private void loseTheLockAndRunDuringTheTakeover(ForwardLockLifecycle lifecycle, Thread other)
			throws InterruptedException {
		this.afterTakeover = (lease, verifySoon) -> {
			other.start();
			await().atMost(Duration.ofSeconds(20)).until(() -> other.getState() == Thread.State.WAITING);
		};
		loseTheLock(lifecycle);
		awaitStandbyTakeover();
		other.join(TimeUnit.SECONDS.toMillis(20));
		assertThat(other.isAlive()).isFalse();
	}

	/**
	 * Wait until the thread that took the lock over on standby has done all it does.
	 */
	private void awaitStandbyTakeover() throws InterruptedException {
		await().atMost(Duration.ofSeconds(20)).until(() -> this.standbyThread != null);
		this.standbyThread.join(TimeUnit.SECONDS.toMillis(20));
		assertThat(this.standbyThread.isAlive()).isFalse();
	}

	/**
	 * Wait for a thread to end, also when the waiting thread is interrupted (as the
	 * keeper's stop interrupts its standby thread), and keep the interrupt.
	 */
	private static void joinUninterruptibly(Thread thread) {
		boolean interrupted = false;
		while (thread.isAlive()) {
			try {
				thread.join(TimeUnit.SECONDS.toMillis(20));
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	private static boolean waitsForAThreadToEnd(Thread thread) {
		return Arrays.stream(thread.getStackTrace())
			.anyMatch((frame) -> frame.getClassName().equals(Thread.class.getName())
					&& frame.getMethodName().equals("join"));
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			assertThat(latch.await(20, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Backend whose second lease (the one taken over on standby) runs
	 * {@link StandbyRestartTests#afterTakeover} once it is watched.
	 */
	final class HookedBackend implements LockBackend {

		@Override
		public String id() {
			return StandbyRestartTests.this.memory.id();
		}

		@Override
		public Optional<LockLease> tryAcquire(LockRequest request) {
			Optional<LockLease> lease = StandbyRestartTests.this.memory.tryAcquire(request).map(this::hooked);
			// on the standby thread, once it holds the lease it took over and before the
			// keeper takes it in
			Runnable hook = StandbyRestartTests.this.whileTakingOver;
			if (hook != null && lease.isPresent() && ((HookedLease) lease.get()).takenOverOnStandby) {
				hook.run();
			}
			return lease;
		}

		@Override
		public LockLease acquireBlocking(LockRequest request, Duration pollInterval) throws InterruptedException {
			return hooked(StandbyRestartTests.this.memory.acquireBlocking(request, pollInterval));
		}

		@Override
		public Optional<HolderRecord> inspect(LockRequest request) {
			return StandbyRestartTests.this.memory.inspect(request);
		}

		@Override
		public String describeLocation(LockRequest request) {
			return StandbyRestartTests.this.memory.describeLocation(request);
		}

		private LockLease hooked(LockLease lease) {
			return new HookedLease(lease, StandbyRestartTests.this.acquisitions.incrementAndGet() == 2);
		}

	}

	final class HookedLease implements LockLease {

		private final LockLease delegate;

		private final boolean takenOverOnStandby;

		HookedLease(LockLease delegate, boolean takenOverOnStandby) {
			this.delegate = delegate;
			this.takenOverOnStandby = takenOverOnStandby;
		}

		@Override
		public void onSuspectedLoss(Runnable listener) {
			// called on the standby thread as the keeper starts watching the lease taken
			// over, before the guarded work is started again
			BiConsumer<LockLease, Runnable> hook = StandbyRestartTests.this.afterTakeover;
			if (listener != null && this.takenOverOnStandby && hook != null) {
				StandbyRestartTests.this.standbyThread = Thread.currentThread();
				hook.accept(this.delegate, listener);
			}
		}

		@Override
		public String lockName() {
			return this.delegate.lockName();
		}

		@Override
		public String backendId() {
			return this.delegate.backendId();
		}

		@Override
		public String location() {
			return this.delegate.location();
		}

		@Override
		public HolderRecord holder() {
			return this.delegate.holder();
		}

		@Override
		public OptionalLong fencingToken() {
			return this.delegate.fencingToken();
		}

		@Override
		public Verification verify() {
			return this.delegate.verify();
		}

		@Override
		public void heartbeat() {
			this.delegate.heartbeat();
		}

		@Override
		public boolean isReleased() {
			return this.delegate.isReleased();
		}

		@Override
		public void release() {
			this.delegate.release();
		}

	}

}
