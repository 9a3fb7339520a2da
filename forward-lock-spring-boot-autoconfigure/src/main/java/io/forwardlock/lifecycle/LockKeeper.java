package io.forwardlock.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import io.forwardlock.diagnostics.LockStartupException;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.watch.LockWatchdog;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.event.ApplicationContextEvent;

/**
 * Keeps the lock for {@link ForwardLockLifecycle}: acquires it as the policy says, runs a
 * {@link LockWatchdog} on a scheduler of its own while it is held, waits for it again on
 * standby after a loss, and releases it; owns the {@link LockReporter} and wires the
 * {@link GuardedLifecycles} to it. Thread-safe; {@link #close()} is idempotent.
 */
final class LockKeeper {

	private static final Log logger = LogFactory.getLog(ForwardLockLifecycle.class);

	/**
	 * Longest wait in {@link #start()} for a standby thread that a stop interrupted: it
	 * ends at once, unless a backend call ignores the interrupt.
	 */
	private static final Duration STANDBY_END_WAIT = Duration.ofSeconds(10);

	private final LockBackend backend;

	private final LockRequest request;

	private final LockAcquisitionPolicy policy;

	private final Duration verifyInterval;

	private final boolean heartbeatEnabled;

	private final LockReporter reporter;

	private final ReentrantLock lifecycleLock = new ReentrantLock();

	private volatile boolean running;

	private volatile LockLease lease;

	private volatile LockWatchdog watchdog;

	private volatile Instant acquiredAt;

	private ScheduledExecutorService scheduler;

	private Thread standbyThread;

	/**
	 * The standby thread that the last {@link #close()} interrupted, until a start has
	 * waited for it to end.
	 */
	private volatile Thread interruptedStandby;

	private Supplier<LockAcquisition> earlyAcquisition = () -> null;

	LockKeeper(ForwardLockLifecycle source, LockBackend backend, LockRequest request, LockAcquisitionPolicy policy,
			Duration verifyInterval, LockLostHandler lostHandler) {
		this.backend = Objects.requireNonNull(backend, "'backend' must not be null");
		this.request = Objects.requireNonNull(request, "'request' must not be null");
		this.heartbeatEnabled = request.heartbeatEnabled() || backend.requiresHeartbeat();
		this.reporter = new LockReporter(source, Objects.requireNonNull(lostHandler, "'lostHandler' must not be null"),
				new LockStatus(LockState.NOT_STARTED, backend.id(), request.name(), backend.describeLocation(request),
						null, this.heartbeatEnabled, request.heartbeatInterval(), request.staleTimeout(), null,
						Objects.requireNonNull(verifyInterval, "'verifyInterval' must not be null"), null, null));
		this.policy = Objects.requireNonNull(policy, "'policy' must not be null");
		this.verifyInterval = verifyInterval;
	}

	LockReporter reporter() {
		return this.reporter;
	}

	boolean heartbeatEnabled() {
		return this.heartbeatEnabled;
	}

	void setEarlyAcquisition(Supplier<LockAcquisition> earlyAcquisition) {
		this.earlyAcquisition = Objects.requireNonNull(earlyAcquisition, "'earlyAcquisition' must not be null");
	}

	/**
	 * Guard the lifecycle beans of a later phase than the lock's, when the bean factory
	 * can list them.
	 */
	void guard(BeanFactory beanFactory, ForwardLockLifecycle lock, int lockPhase) {
		if (beanFactory instanceof ConfigurableListableBeanFactory listable) {
			this.reporter.guarded = new GuardedLifecycles(listable, lock, lockPhase);
		}
	}

	void contextEvent(ApplicationContextEvent event) {
		GuardedLifecycles work = this.reporter.guarded;
		if (work != null) {
			work.contextEvent(event);
		}
	}

	boolean isRunning() {
		return this.running;
	}

	/**
	 * Take over the early acquisition, or acquire the lock, and start watching it.
	 */
	void start() {
		GuardedLifecycles work = this.reporter.guarded;
		if (work != null && !this.running) {
			// The context starts every guarded bean itself after this: an earlier loss
			// leaves nothing suspended and nothing to restart
			work.reset();
		}
		LockAcquisition early = this.earlyAcquisition.get();
		awaitInterruptedStandby();
		this.lifecycleLock.lock();
		try {
			if (!this.running) {
				onAcquired((early != null) ? early : acquire(this.policy));
				if (early != null) {
					renewTakenOver();
				}
				this.running = true;
			}
		}
		finally {
			this.lifecycleLock.unlock();
		}
	}

	/**
	 * A standby thread that a stop interrupted may still hold a lease it took just before
	 * (it hands it back once it has the lifecycle lock, seeing the keeper stopped). Wait
	 * for it to end, without the lifecycle lock that it needs, so that a start right
	 * after the stop is not refused by this instance's own lease.
	 */
	private void awaitInterruptedStandby() {
		Thread interrupted = this.interruptedStandby;
		if (interrupted == null || interrupted == Thread.currentThread()) {
			return;
		}
		try {
			interrupted.join(STANDBY_END_WAIT.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return;
		}
		if (interrupted.isAlive()) {
			logger.warn("The wait on standby for lock '" + this.request.name() + "' that the last stop interrupted "
					+ "has not ended within " + STANDBY_END_WAIT + "; acquiring the lock anyway");
		}
		else if (this.interruptedStandby == interrupted) {
			this.interruptedStandby = null;
		}
	}

	/**
	 * Stop watching and release the lock, if running. Guarded work that a standby
	 * takeover started while the context was being stopped is stopped first.
	 */
	void stop() {
		this.lifecycleLock.lock();
		try {
			if (this.running) {
				GuardedLifecycles work = this.reporter.guarded;
				if (work != null) {
					work.lockStopping();
				}
				close();
			}
		}
		finally {
			this.lifecycleLock.unlock();
		}
	}

	private LockAcquisition acquire(LockAcquisitionPolicy acquisitionPolicy) {
		long started = System.nanoTime();
		try {
			return new LockAcquirer(this.backend, this.request, acquisitionPolicy).acquire(this.reporter::standby);
		}
		catch (LockStartupException ex) {
			this.reporter.acquireFailed(ex, Duration.ofNanos(System.nanoTime() - started),
					acquisitionPolicy.maxRetries() + 1);
			throw ex;
		}
	}

	private void onAcquired(LockAcquisition acquisition) {
		this.lease = acquisition.lease();
		this.acquiredAt = Instant.now();
		if (this.scheduler == null) {
			this.scheduler = Executors.newScheduledThreadPool(2, (task) -> {
				Thread thread = new Thread(task, "forward-lock-" + this.request.name());
				thread.setDaemon(true);
				return thread;
			});
		}
		// counted from the grant, not from now: an early acquisition waited for the
		// refresh, and its lease ran meanwhile
		this.watchdog = new LockWatchdog(this.lease, this.request, this.verifyInterval, this.heartbeatEnabled,
				acquisition.acquiredAtNanos(), this.scheduler, this.reporter);
		this.reporter.acquired(acquisition,
				"verifying every " + this.verifyInterval + (this.heartbeatEnabled ? ", heartbeat every "
						+ this.request.heartbeatInterval() + ", stale after " + this.request.staleTimeout() : ""));
		// the watchdog also verifies at once when the lease suspects a loss (a deleted
		// or replaced lock file)
		this.watchdog.start();
	}

	/**
	 * Renew a lease taken over from the early acquisition at once, when the heartbeat
	 * runs. Nothing renewed it while the context was refreshed, and the watchdog's first
	 * renewal comes a whole heartbeat interval after it started: a lease with less than
	 * that left (a start-up longer than the stale timeout less the heartbeat interval)
	 * would run out first. The renewal runs on the watchdog's scheduler and by its rules,
	 * as any renewal: a failure is tolerated until the lease's deadline, and a lease
	 * found taken over is lost at once.
	 */
	private void renewTakenOver() {
		if (this.heartbeatEnabled) {
			this.scheduler.execute(this.watchdog::heartbeatNow);
		}
	}

	/**
	 * After a loss, wait on standby for the lock on a thread of its own, then start the
	 * guarded work again. Does nothing unless the lock was lost and the lifecycle runs.
	 * @param onReacquired called once the lock is held and the guarded work started; not
	 * called when the lock is lost again, or the context closes, before the work started
	 */
	void standBy(Runnable onReacquired) {
		this.lifecycleLock.lock();
		try {
			if (this.running && this.reporter.status().state() == LockState.LOST && this.standbyThread == null) {
				this.standbyThread = new Thread(() -> waitAndRestart(onReacquired),
						"forward-lock-standby-" + this.request.name());
				this.standbyThread.setDaemon(true);
				this.standbyThread.start();
			}
		}
		finally {
			this.lifecycleLock.unlock();
		}
	}

	private void waitAndRestart(Runnable onReacquired) {
		release();
		LockAcquisition acquisition;
		try {
			acquisition = acquire(new LockAcquisitionPolicy(0, this.policy.retryDelay(), true, this.policy.exitCode()));
		}
		catch (LockStartupException ex) {
			logger.error("Stopped waiting for lock '" + this.request.name() + "': " + ex.getSummary());
			return;
		}
		this.lifecycleLock.lock();
		try {
			this.standbyThread = null;
			if (!this.running) {
				acquisition.lease().release();
				return;
			}
			onAcquired(acquisition);
			restartGuardedWork(this.watchdog, onReacquired);
		}
		finally {
			this.lifecycleLock.unlock();
		}
	}

	/**
	 * Start the guarded work again, unless the acquisition that was just made is already
	 * lost: its watchdog runs from {@code onAcquired} on, and a loss it reports before
	 * this point has stopped nothing (another standby thread then waits). Runs under the
	 * lifecycle lock, so no shutdown releases the lock meanwhile; a loss reported from
	 * the check on stops what was started, after {@code onReacquired}.
	 */
	private void restartGuardedWork(LockWatchdog current, Runnable onReacquired) {
		GuardedLifecycles work = this.reporter.guarded;
		if (work != null) {
			work.restart(() -> this.running && this.watchdog == current && !current.isLost(), onReacquired);
		}
		else if (!current.isLost()) {
			onReacquired.run();
		}
	}

	/**
	 * Stop watching and release a lease that is still held, whether running or not.
	 */
	void close() {
		this.lifecycleLock.lock();
		try {
			this.running = false;
			if (this.standbyThread != null) {
				this.standbyThread.interrupt();
				this.interruptedStandby = this.standbyThread;
				this.standbyThread = null;
			}
			ScheduledExecutorService current = this.scheduler;
			this.scheduler = null;
			if (current != null) {
				this.watchdog.stop();
				// No interrupt: interrupting file I/O closes the channel, dropping the
				// lock
				current.shutdown();
				if (!current.awaitTermination(5, TimeUnit.SECONDS)) {
					logger.warn("Checks of lock '" + this.request.name() + "' did not finish; releasing anyway");
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			release();
			this.lifecycleLock.unlock();
		}
	}

	private void release() {
		LockLease current = this.lease;
		this.lease = null;
		if (current != null) {
			try {
				current.release();
			}
			catch (LockException ex) {
				logger
					.warn("Lock '" + this.request.name() + "' was released but cleaning up failed: " + ex.getSummary());
			}
			this.reporter.released(current, this.acquiredAt);
		}
	}

	OptionalLong ensureHeld() {
		LockWatchdog current = this.watchdog;
		if (current == null || !this.running || this.lease == null) {
			throw LockErrors.lockLost(this.reporter.status().location(), "the lock is not held", null);
		}
		return current.ensureHeld();
	}

	LockWatchdog watchdog() {
		return this.watchdog;
	}

}
