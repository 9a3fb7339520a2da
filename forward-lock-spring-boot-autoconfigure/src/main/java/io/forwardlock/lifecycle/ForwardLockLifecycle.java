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
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.context.SmartLifecycle;

/**
 * Holds the application's instance lock for as long as the application runs: acquires it
 * in {@link #start()} before any other lifecycle bean starts and releases it in
 * {@link #stop()} after all of them have stopped. A {@link LockWatchdog} verifies and
 * renews it meanwhile. On a loss, every lifecycle bean of a later phase (the guarded
 * work) stops before the {@link LockLostEvent} and the {@link LockLostHandler};
 * {@link #standBy(Runnable)} waits for the lock again and restarts that work.
 * {@code start()} and {@code stop()} are idempotent and may run on different threads.
 */
public class ForwardLockLifecycle implements SmartLifecycle, ForwardLock, LockStatusProvider,
		ApplicationEventPublisherAware, BeanFactoryAware, DisposableBean {

	/**
	 * Lifecycle phase: below every phase Spring and Boot use, so the lock is taken first
	 * and released last.
	 */
	public static final int PHASE = Integer.MIN_VALUE + 1000;

	private static final Log logger = LogFactory.getLog(ForwardLockLifecycle.class);

	private final LockBackend backend;

	private final LockRequest request;

	private final LockAcquisitionPolicy policy;

	private final Duration verifyInterval;

	private final boolean heartbeatEnabled;

	private final LockReporter reporter;

	private final ReentrantLock lifecycleLock = new ReentrantLock();

	private Supplier<LockAcquisition> earlyAcquisition = () -> null;

	private int phase = PHASE;

	private boolean autoStartup = true;

	private volatile boolean running;

	private volatile LockLease lease;

	private volatile LockWatchdog watchdog;

	private volatile Instant acquiredAt;

	private ScheduledExecutorService scheduler;

	private Thread standbyThread;

	/**
	 * Create a new instance.
	 * @param backend the backend to lock with
	 * @param request the lock to take
	 * @param policy retries, standby and exit code of the start-up acquisition
	 * @param verifyInterval how often to verify that the lock is still held
	 * @param lostHandler what to do when the lock is lost
	 */
	public ForwardLockLifecycle(LockBackend backend, LockRequest request, LockAcquisitionPolicy policy,
			Duration verifyInterval, LockLostHandler lostHandler) {
		this.backend = Objects.requireNonNull(backend, "'backend' must not be null");
		this.request = Objects.requireNonNull(request, "'request' must not be null");
		this.policy = Objects.requireNonNull(policy, "'policy' must not be null");
		this.verifyInterval = Objects.requireNonNull(verifyInterval, "'verifyInterval' must not be null");
		this.heartbeatEnabled = request.heartbeatEnabled() || backend.requiresHeartbeat();
		this.reporter = new LockReporter(this, Objects.requireNonNull(lostHandler, "'lostHandler' must not be null"),
				new LockStatus(LockState.NOT_STARTED, backend.id(), request.name(), backend.describeLocation(request),
						null, this.heartbeatEnabled, request.heartbeatInterval(), request.staleTimeout(), null,
						verifyInterval, null, null));
	}

	@Override
	public void setApplicationEventPublisher(ApplicationEventPublisher publisher) {
		this.reporter.publisher = publisher;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		if (beanFactory instanceof ConfigurableListableBeanFactory listable) {
			this.reporter.guarded = new GuardedLifecycles(listable, this, this.phase);
		}
	}

	/**
	 * Set where a lease acquired before the context created its singletons comes from
	 * ({@code forward.lock.acquire-early}); {@link #start()} takes it over.
	 * @param earlyAcquisition supplier of the early acquisition, or of {@code null}
	 */
	public void setEarlyAcquisition(Supplier<LockAcquisition> earlyAcquisition) {
		this.earlyAcquisition = Objects.requireNonNull(earlyAcquisition, "'earlyAcquisition' must not be null");
	}

	/**
	 * Set the lifecycle phase. Defaults to {@link #PHASE}.
	 * @param phase the phase
	 */
	public void setPhase(int phase) {
		this.phase = phase;
	}

	@Override
	public int getPhase() {
		return this.phase;
	}

	/**
	 * Set whether the lock is acquired when the context refreshes. Defaults to
	 * {@code true}.
	 * @param autoStartup whether to start automatically
	 */
	public void setAutoStartup(boolean autoStartup) {
		this.autoStartup = autoStartup;
	}

	@Override
	public boolean isAutoStartup() {
		return this.autoStartup;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Acquire the lock, following the acquisition policy, and start watching it.
	 * @throws LockStartupException when the lock could not be acquired
	 */
	@Override
	public void start() {
		this.lifecycleLock.lock();
		try {
			if (!this.running) {
				LockAcquisition acquisition = this.earlyAcquisition.get();
				onAcquired((acquisition != null) ? acquisition : acquire(this.policy));
				this.running = true;
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
		this.watchdog = new LockWatchdog(this.lease, this.request, this.verifyInterval, this.heartbeatEnabled,
				this.scheduler, this.reporter);
		this.reporter.acquired(acquisition,
				"verifying every " + this.verifyInterval + (this.heartbeatEnabled ? ", heartbeat every "
						+ this.request.heartbeatInterval() + ", stale after " + this.request.staleTimeout() : ""));
		this.watchdog.start();
	}

	/**
	 * After a loss, wait on standby for the lock on a thread of its own, then start the
	 * guarded work again. Does nothing unless the lock was lost and the lifecycle runs.
	 * @param onReacquired called once the lock is held and the guarded work started
	 */
	public void standBy(Runnable onReacquired) {
		this.lifecycleLock.lock();
		try {
			if (this.running && getStatus().state() == LockState.LOST && this.standbyThread == null) {
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
		}
		finally {
			this.lifecycleLock.unlock();
		}
		if (this.reporter.guarded != null) {
			this.reporter.guarded.restart();
		}
		onReacquired.run();
	}

	/**
	 * Stop watching and release the lock. Idempotent; safe on the shutdown-hook thread.
	 */
	@Override
	public void stop() {
		this.lifecycleLock.lock();
		try {
			if (this.running) {
				destroy();
			}
		}
		finally {
			this.lifecycleLock.unlock();
		}
	}

	/**
	 * Release a lease that is still held, also when the context is destroyed without
	 * having been stopped (a later bean failed during start-up).
	 */
	@Override
	public void destroy() {
		this.lifecycleLock.lock();
		try {
			this.running = false;
			if (this.standbyThread != null) {
				this.standbyThread.interrupt();
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

	/**
	 * {@inheritDoc}
	 * <p>
	 * Fails before {@link #start()}, after a loss (also while waiting on standby for the
	 * lock again) and after {@link #stop()}.
	 */
	@Override
	public OptionalLong ensureHeld() {
		LockWatchdog current = this.watchdog;
		if (current == null || !this.running || this.lease == null) {
			throw LockErrors.lockLost(getStatus().location(), "the lock is not held", null);
		}
		return current.ensureHeld();
	}

	void verify() {
		this.watchdog.verifyNow();
	}

	void heartbeat() {
		this.watchdog.heartbeatNow();
	}

	@Override
	public LockStatus getStatus() {
		return this.reporter.status();
	}

	/**
	 * Number of times this lifecycle failed to acquire the lock.
	 * @return the count
	 */
	public long getAcquireFailureCount() {
		return this.reporter.acquireFailureCount.get();
	}

	/**
	 * Number of times this lifecycle lost the lock.
	 * @return the count
	 */
	public long getLostCount() {
		return this.reporter.lostCount.get();
	}

	/**
	 * Number of failed heartbeats since start.
	 * @return the count
	 */
	public long getHeartbeatFailureCount() {
		return this.reporter.heartbeatFailureCount.get();
	}

	/**
	 * Whether the heartbeat runs, because it is enabled or the backend requires it.
	 * @return whether the heartbeat runs
	 */
	public boolean isHeartbeatEnabled() {
		return this.heartbeatEnabled;
	}

}
