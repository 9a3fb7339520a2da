package io.forwardlock.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import io.forwardlock.diagnostics.LockStartupException;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.context.SmartLifecycle;

/**
 * Holds the application's instance lock for as long as the application runs: acquires it
 * in {@link #start()} before any other lifecycle bean (the web server, schedulers,
 * message listeners) starts, and releases it in {@link #stop()} after all of them have
 * stopped, so that a graceful shutdown completes while the lock is still held.
 * <p>
 * While holding the lock, a daemon thread verifies every {@code verify-interval} that the
 * lock is still held, and heartbeats when the heartbeat is on or the backend needs it. A
 * lost lock is logged at ERROR, published as a {@link LockLostEvent} and handed to the
 * {@link LockLostHandler}. A failing backend is retried until the stale timeout has
 * passed since the last successful heartbeat (or, without a heartbeat, verification), and
 * only then counts as a loss: with a lease backend that is when the lease would have
 * expired.
 * <p>
 * {@code start()} and {@code stop()} are idempotent and may run on different threads:
 * Spring stops lifecycle beans on its shutdown-hook thread.
 */
public class ForwardLockLifecycle
		implements SmartLifecycle, LockStatusProvider, ApplicationEventPublisherAware, DisposableBean {

	/**
	 * Lifecycle phase: far below the web server's ({@code DEFAULT_PHASE - 2048}) and
	 * every other phase Spring and Boot use, so the lock is taken first and released
	 * last.
	 */
	public static final int PHASE = Integer.MIN_VALUE + 1000;

	private static final Log logger = LogFactory.getLog(ForwardLockLifecycle.class);

	private static final Duration SCHEDULER_STOP_TIMEOUT = Duration.ofSeconds(5);

	private final LockBackend backend;

	private final LockRequest request;

	private final LockAcquisitionPolicy policy;

	private final Duration verifyInterval;

	private final boolean heartbeatEnabled;

	private final LockLostHandler lostHandler;

	private final ReentrantLock lifecycleLock = new ReentrantLock();

	private final Object statusMonitor = new Object();

	private final AtomicBoolean lossReported = new AtomicBoolean();

	private final AtomicLong lostCount = new AtomicLong();

	private final AtomicLong heartbeatFailureCount = new AtomicLong();

	private final AtomicLong acquireFailureCount = new AtomicLong();

	private final AtomicInteger consecutiveHeartbeatFailures = new AtomicInteger();

	private ApplicationEventPublisher publisher = (event) -> {
	};

	private Supplier<LockAcquisition> earlyAcquisition = () -> null;

	private int phase = PHASE;

	private boolean autoStartup = true;

	private volatile boolean running;

	private volatile LockLease lease;

	private volatile LockStatus status;

	private volatile Instant acquiredAt;

	private volatile Instant lastVerifiedAt;

	private volatile Instant lastRenewedAt;

	private volatile Duration lastAcquireDuration;

	private ScheduledExecutorService scheduler;

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
		this.lostHandler = Objects.requireNonNull(lostHandler, "'lostHandler' must not be null");
		this.heartbeatEnabled = request.heartbeatEnabled() || backend.requiresHeartbeat();
		this.status = newStatus(LockState.NOT_STARTED, null, null, null, null);
	}

	@Override
	public void setApplicationEventPublisher(ApplicationEventPublisher publisher) {
		this.publisher = publisher;
	}

	/**
	 * Set where a lease acquired before the context created its singletons comes from
	 * ({@code forward.lock.acquire-early}). The lifecycle takes that lease over in
	 * {@link #start()} instead of acquiring a new one, and releases it in
	 * {@link #stop()}.
	 * @param earlyAcquisition supplier of the early acquisition, returning {@code null}
	 * when there is none
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
	 * Acquire the lock, following the acquisition policy, and start verifying it.
	 * @throws LockStartupException when the lock could not be acquired
	 */
	@Override
	public void start() {
		this.lifecycleLock.lock();
		try {
			if (this.running) {
				return;
			}
			LockAcquisition acquisition = this.earlyAcquisition.get();
			if (acquisition == null) {
				acquisition = acquire();
			}
			onAcquired(acquisition);
			this.running = true;
			startScheduler();
		}
		finally {
			this.lifecycleLock.unlock();
		}
	}

	private LockAcquisition acquire() {
		long started = System.nanoTime();
		LockAcquirer acquirer = new LockAcquirer(this.backend, this.request, this.policy);
		try {
			return acquirer.acquire((holder) -> updateStatus(LockState.STANDBY, holder, null, null, null));
		}
		catch (LockStartupException ex) {
			this.acquireFailureCount.incrementAndGet();
			this.lastAcquireDuration = Duration.ofNanos(System.nanoTime() - started);
			LockStatus failed = updateStatus(LockState.NOT_STARTED, ex.getHolder(), null, null, null);
			publish(new LockAcquireFailedEvent(this, failed, this.lastAcquireDuration, this.policy.maxRetries() + 1,
					ex));
			throw ex;
		}
	}

	private void onAcquired(LockAcquisition acquisition) {
		LockLease acquired = acquisition.lease();
		this.lease = acquired;
		this.lossReported.set(false);
		this.consecutiveHeartbeatFailures.set(0);
		this.acquiredAt = Instant.now();
		this.lastVerifiedAt = this.acquiredAt;
		this.lastRenewedAt = this.acquiredAt;
		this.lastAcquireDuration = acquisition.duration();
		Long token = acquired.fencingToken().isPresent() ? acquired.fencingToken().getAsLong() : null;
		LockStatus acquiredStatus = newStatus(LockState.ACQUIRED, acquired.holder(), null, null, token);
		synchronized (this.statusMonitor) {
			// A fresh snapshot: nothing of an earlier acquisition (a lost verification)
			// carries over
			this.status = acquiredStatus;
		}
		logger.info(String.format("Acquired lock '%s' at %s (backend %s, %s) in %d ms; %s", this.request.name(),
				acquired.location(), acquired.backendId(), acquired.holder().describe(),
				acquisition.duration().toMillis(), describeSchedule()));
		publish(new LockAcquiredEvent(this, acquiredStatus, acquisition.duration(), acquisition.attempts(),
				acquisition.afterStandby()));
	}

	private String describeSchedule() {
		String schedule = "verifying every " + this.verifyInterval;
		if (this.heartbeatEnabled) {
			schedule += ", heartbeat every " + this.request.heartbeatInterval() + ", stale after "
					+ this.request.staleTimeout();
		}
		return schedule;
	}

	private void startScheduler() {
		this.scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "forward-lock-" + this.request.name());
			thread.setDaemon(true);
			return thread;
		});
		long verifyMillis = Math.max(1, this.verifyInterval.toMillis());
		this.scheduler.scheduleWithFixedDelay(this::verify, verifyMillis, verifyMillis, TimeUnit.MILLISECONDS);
		LockLease current = this.lease;
		if (current != null) {
			// a deleted or replaced lock file is verified at once, not at the next tick
			ScheduledExecutorService verifier = this.scheduler;
			current.onSuspectedLoss(() -> verifySoon(verifier));
		}
		if (this.heartbeatEnabled) {
			long beatMillis = Math.max(1, this.request.heartbeatInterval().toMillis());
			this.scheduler.scheduleWithFixedDelay(this::heartbeat, beatMillis, beatMillis, TimeUnit.MILLISECONDS);
		}
	}

	private void verifySoon(ScheduledExecutorService verifier) {
		try {
			verifier.execute(this::verify);
		}
		catch (RejectedExecutionException ex) {
			// stopping: nothing left to verify
		}
	}

	/**
	 * Stop verifying and release the lock. Idempotent; safe on the shutdown-hook thread.
	 */
	@Override
	public void stop() {
		this.lifecycleLock.lock();
		try {
			if (this.running) {
				stopAndRelease();
			}
		}
		finally {
			this.lifecycleLock.unlock();
		}
	}

	/**
	 * Release a lease that is still held when the context is destroyed without having
	 * been stopped, for example when a later bean failed during start-up.
	 */
	@Override
	public void destroy() {
		this.lifecycleLock.lock();
		try {
			stopAndRelease();
		}
		finally {
			this.lifecycleLock.unlock();
		}
	}

	private void stopAndRelease() {
		this.running = false;
		stopScheduler();
		release();
	}

	private void stopScheduler() {
		ScheduledExecutorService current = this.scheduler;
		this.scheduler = null;
		if (current == null) {
			return;
		}
		// No interrupt: interrupting file I/O closes the channel, which drops the lock
		current.shutdown();
		try {
			if (!current.awaitTermination(SCHEDULER_STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				logger.warn("Verification of lock '" + this.request.name() + "' did not finish within "
						+ SCHEDULER_STOP_TIMEOUT + "; releasing anyway");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void release() {
		LockLease current = this.lease;
		this.lease = null;
		if (current == null) {
			return;
		}
		try {
			current.release();
		}
		catch (LockException ex) {
			logger.warn("Lock '" + this.request.name() + "' was released but cleaning up failed: " + ex.getSummary());
		}
		if (this.status.state() == LockState.LOST) {
			return;
		}
		Instant since = this.acquiredAt;
		LockStatus released = updateStatus(LockState.RELEASED, current.holder(), null, null, null);
		logger.info("Released lock '" + this.request.name() + "' at " + current.location());
		publish(new LockReleasedEvent(this, released, (since != null) ? Duration.between(since, Instant.now()) : null));
	}

	/**
	 * Verify now that the lock is still held. Runs every {@code verify-interval} on the
	 * lifecycle's own thread.
	 */
	void verify() {
		LockLease current = this.lease;
		if (current == null || this.lossReported.get()) {
			return;
		}
		Verification verification;
		try {
			verification = current.verify();
		}
		catch (RuntimeException ex) {
			backendFailed("verify", ex);
			return;
		}
		switch (verification.status()) {
			case HELD -> {
				this.lastVerifiedAt = verification.verifiedAt();
				updateStatus(null, null, verification, null, null);
			}
			case HEALED -> {
				this.lastVerifiedAt = verification.verifiedAt();
				updateStatus(null, null, verification, null, null);
				logger.warn("Lock '" + this.request.name() + "' at " + current.location()
						+ " was repaired and is still held by this instance: " + verification.detail());
			}
			case LOST -> {
				updateStatus(null, null, verification, null, null);
				lost(verification.detail(), verification.currentHolder());
			}
		}
	}

	/**
	 * Heartbeat now. Runs every {@code heartbeat.interval} on the lifecycle's own thread
	 * when the heartbeat is on.
	 */
	void heartbeat() {
		LockLease current = this.lease;
		if (current == null || this.lossReported.get()) {
			return;
		}
		try {
			current.heartbeat();
		}
		catch (RuntimeException ex) {
			this.heartbeatFailureCount.incrementAndGet();
			int inARow = this.consecutiveHeartbeatFailures.incrementAndGet();
			publish(new LockHeartbeatFailedEvent(this, this.status, ex, inARow));
			backendFailed("heartbeat", ex);
			return;
		}
		this.consecutiveHeartbeatFailures.set(0);
		Instant now = Instant.now();
		this.lastRenewedAt = now;
		updateStatus(null, null, null, now, null);
	}

	private void backendFailed(String what, RuntimeException ex) {
		// With a heartbeat, others may take over once the last renewal is older than the
		// stale timeout, whatever a verification said since; without one, only the
		// verifications prove the lock
		Instant lastProof = this.heartbeatEnabled ? this.lastRenewedAt : this.lastVerifiedAt;
		Duration silent = Duration.between(lastProof, Instant.now());
		Duration timeout = this.request.staleTimeout();
		String reason = (ex instanceof LockException lockException) ? lockException.getSummary() : ex.toString();
		if (silent.compareTo(timeout) >= 0) {
			lost("could not " + what + " the lock for " + silent.toMillis() + " ms, which exceeds the stale timeout of "
					+ timeout + ": " + reason, null);
		}
		else {
			logger.warn(String.format(
					"Could not %s lock '%s' (%s); retrying, the lock counts as lost after %s without " + "success",
					what, this.request.name(), reason, timeout));
		}
	}

	private void lost(String detail, HolderRecord newHolder) {
		if (!this.lossReported.compareAndSet(false, true)) {
			return;
		}
		this.lostCount.incrementAndGet();
		LockStatus lostStatus = updateStatus(LockState.LOST, null, null, null, null);
		LockLease current = this.lease;
		String location = (current != null) ? current.location() : this.backend.describeLocation(this.request);
		logger.error(LockErrors.lockLost(location, detail, newHolder).getMessage());
		ScheduledExecutorService executor = this.scheduler;
		if (executor != null) {
			executor.shutdown();
		}
		LockLostEvent event = new LockLostEvent(this, lostStatus, detail, newHolder);
		publish(event);
		this.lostHandler.lockLost(event);
	}

	private void publish(ApplicationEvent event) {
		try {
			this.publisher.publishEvent(event);
		}
		catch (RuntimeException ex) {
			logger.warn("A listener failed to handle " + event.getClass().getSimpleName(), ex);
		}
	}

	@Override
	public LockStatus getStatus() {
		return this.status;
	}

	private LockStatus updateStatus(LockState state, HolderRecord holder, Verification verification,
			Instant heartbeatAt, Long fencingToken) {
		synchronized (this.statusMonitor) {
			LockStatus old = this.status;
			LockStatus updated = (old == null) ? newStatus(state, holder, verification, heartbeatAt, fencingToken)
					: new LockStatus((state != null) ? state : old.state(), old.backend(), old.lockName(),
							old.location(), (holder != null) ? holder : old.holder(), old.heartbeatEnabled(),
							old.heartbeatInterval(), old.staleTimeout(),
							(heartbeatAt != null) ? heartbeatAt : old.lastHeartbeatAt(), old.verifyInterval(),
							(verification != null) ? verification : old.lastVerification(),
							(fencingToken != null) ? fencingToken : old.fencingToken());
			this.status = updated;
			return updated;
		}
	}

	private LockStatus newStatus(LockState state, HolderRecord holder, Verification verification, Instant heartbeatAt,
			Long fencingToken) {
		return new LockStatus(state, this.backend.id(), this.request.name(),
				this.backend.describeLocation(this.request), holder, this.heartbeatEnabled,
				this.request.heartbeatInterval(), this.request.staleTimeout(), heartbeatAt, this.verifyInterval,
				verification, fencingToken);
	}

	/**
	 * Backend this lifecycle locks with.
	 * @return the backend
	 */
	public LockBackend getBackend() {
		return this.backend;
	}

	/**
	 * Request describing the lock.
	 * @return the request
	 */
	public LockRequest getRequest() {
		return this.request;
	}

	/**
	 * How long the last acquisition took (or was tried), including retries and standby.
	 * @return the duration, or {@code null} before the first attempt
	 */
	public Duration getLastAcquireDuration() {
		return this.lastAcquireDuration;
	}

	/**
	 * Number of times this lifecycle failed to acquire the lock.
	 * @return the count
	 */
	public long getAcquireFailureCount() {
		return this.acquireFailureCount.get();
	}

	/**
	 * Number of times this lifecycle lost the lock.
	 * @return the count
	 */
	public long getLostCount() {
		return this.lostCount.get();
	}

	/**
	 * Number of failed heartbeats since start.
	 * @return the count
	 */
	public long getHeartbeatFailureCount() {
		return this.heartbeatFailureCount.get();
	}

	/**
	 * Whether the heartbeat runs, because it is enabled or the backend requires it.
	 * @return whether the heartbeat runs
	 */
	public boolean isHeartbeatEnabled() {
		return this.heartbeatEnabled;
	}

}
