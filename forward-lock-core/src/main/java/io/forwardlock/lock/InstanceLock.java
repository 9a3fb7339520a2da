package io.forwardlock.lock;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Instance lock API over any {@link LockBackend}, for applications without Spring:
 * try-acquire, acquire with retries, wait on standby, release, is-acquired, location and
 * check-running-instance.
 * <p>
 * Thread-safe. One instance manages at most one lease at a time.
 */
public class InstanceLock {

	private static final long FIRST_RETRY_PAUSE_MILLIS = 100;

	private final LockBackend backend;

	private final LockRequest request;

	private final Object monitor = new Object();

	private volatile @Nullable LockLease lease;

	/**
	 * Create a new instance.
	 * @param backend the backend to lock with
	 * @param request the lock to take
	 */
	public InstanceLock(LockBackend backend, LockRequest request) {
		this.backend = Objects.requireNonNull(backend, "'backend' must not be null");
		this.request = Objects.requireNonNull(request, "'request' must not be null");
	}

	/**
	 * Try once to acquire the lock.
	 * @return {@code true} if this instance now holds the lock (or already held it)
	 * @throws LockException on infrastructure failure
	 */
	public boolean tryAcquire() {
		synchronized (this.monitor) {
			if (isAcquired()) {
				return true;
			}
			Optional<LockLease> acquired = this.backend.tryAcquire(this.request);
			acquired.ifPresent((l) -> this.lease = l);
			return acquired.isPresent();
		}
	}

	private boolean tryAcquireDecisively() throws InterruptedException {
		synchronized (this.monitor) {
			if (isAcquired()) {
				return true;
			}
			Optional<LockLease> acquired = this.backend.tryAcquireDecisively(this.request);
			acquired.ifPresent((l) -> this.lease = l);
			return acquired.isPresent();
		}
	}

	/**
	 * Acquire the lock, trying {@code 1 + maxRetries} times with {@code retryDelay} in
	 * between. Each attempt is {@link LockBackend#tryAcquireDecisively decisive}: on a
	 * backend that must watch a holder to tell whether it is alive, an attempt may last
	 * up to one lease duration.
	 * @param maxRetries further attempts after the first
	 * @param retryDelay pause between attempts
	 * @return the lease
	 * @throws LockException with {@link LockErrorType#INSTANCE_RUNNING} when no retries
	 * were allowed, or {@link LockErrorType#MAX_RETRIES_EXCEEDED} after the last retry
	 * @throws InterruptedException if interrupted while waiting between attempts
	 */
	public LockLease acquire(int maxRetries, Duration retryDelay) throws InterruptedException {
		if (maxRetries < 0) {
			throw new IllegalArgumentException("maxRetries must not be negative, but was " + maxRetries);
		}
		for (int attempt = 1;; attempt++) {
			if (tryAcquireDecisively()) {
				return this.lease;
			}
			if (attempt > maxRetries) {
				LockException running = this.backend
					.instanceRunning(checkRunningInstance().orElse(HolderRecord.unknown()), this.request);
				throw (maxRetries == 0) ? running : LockErrors.maxRetriesExceeded(attempt, running);
			}
			Thread.sleep(Math.max(1, retryDelay.toMillis()));
		}
	}

	/**
	 * Wait until the lock is free and acquire it, however long that takes (a standby).
	 * Rides out an unreachable medium: see
	 * {@link #awaitLease(LockBackend, LockRequest, Duration, RetryListener)}.
	 * @param retryDelay poll interval of backends that cannot block on their medium, and
	 * the longest pause between two attempts after a failure
	 * @param onRetry told about each failure that is retried
	 * @return the lease
	 * @throws LockException when a failure that retrying cannot fix ends the wait
	 * @throws InterruptedException if interrupted while waiting
	 */
	public LockLease acquireOnStandby(Duration retryDelay, RetryListener onRetry) throws InterruptedException {
		LockLease current = this.lease;
		if (current != null && !current.isReleased()) {
			return current;
		}
		// Not under the monitor: release() and isAcquired() must not wait for a standby
		LockLease acquired = awaitLease(this.backend, this.request, retryDelay, onRetry);
		synchronized (this.monitor) {
			this.lease = acquired;
		}
		return acquired;
	}

	/**
	 * Wait until the lock is free and acquire it, however long that takes. A failure of
	 * the medium that may pass by itself ({@link #isTransient(LockException)}: a database
	 * restart, a broken connection, an I/O error) is retried after a pause that doubles
	 * from 100 ms up to {@code retryDelay}, so that a standby is still there when the
	 * medium comes back; any other failure ends the wait.
	 * @param backend the backend
	 * @param request the lock
	 * @param retryDelay poll interval, and the longest pause after a failure
	 * @param onRetry told about each failure before the pause
	 * @return the lease
	 * @throws LockException when a failure that retrying cannot fix ends the wait
	 * @throws InterruptedException if interrupted while waiting
	 */
	public static LockLease awaitLease(LockBackend backend, LockRequest request, Duration retryDelay,
			RetryListener onRetry) throws InterruptedException {
		long maxPause = Math.max(1, retryDelay.toMillis());
		long pause = Math.min(FIRST_RETRY_PAUSE_MILLIS, maxPause);
		for (int failures = 1;; failures++) {
			try {
				return backend.acquireBlocking(request, retryDelay);
			}
			catch (LockException ex) {
				if (!isTransient(ex)) {
					throw ex;
				}
				onRetry.retrying(ex, failures, Duration.ofMillis(pause));
				Thread.sleep(pause);
				pause = Math.min(pause * 2, maxPause);
			}
		}
	}

	/**
	 * Whether a failure may pass by itself (the medium cannot be reached, a race with
	 * another process), as opposed to one that needs a person to change something
	 * (permissions, an unsafe lock file, a bad configuration).
	 * @param ex the failure
	 * @return whether retrying may help
	 */
	public static boolean isTransient(LockException ex) {
		return ex.getType() == LockErrorType.BACKEND_UNAVAILABLE || ex.getType() == LockErrorType.RACE_CONDITION;
	}

	/**
	 * Told about each failure that a standby wait retries.
	 */
	@FunctionalInterface
	public interface RetryListener {

		/**
		 * A failure is about to be retried.
		 * @param failure the failure
		 * @param failuresInARow failures in a row, including this one
		 * @param pause pause before the next attempt
		 */
		void retrying(LockException failure, int failuresInARow, Duration pause);

	}

	/**
	 * Release the lock if held. Idempotent; callable from any thread.
	 */
	public void release() {
		LockLease current;
		synchronized (this.monitor) {
			current = this.lease;
			this.lease = null;
		}
		if (current != null) {
			current.release();
		}
	}

	/**
	 * Whether this instance holds an unreleased lease. Does not touch the backend; use
	 * {@link LockLease#verify()} to prove the lock is still held.
	 * @return whether the lock is acquired
	 */
	public boolean isAcquired() {
		LockLease current = this.lease;
		return current != null && !current.isReleased();
	}

	/**
	 * The current lease, if any.
	 * @return the lease
	 */
	public Optional<LockLease> getLease() {
		return Optional.ofNullable(this.lease);
	}

	/**
	 * Location of the lock (for the file backend, the lock file path).
	 * @return the location
	 */
	public String getLocation() {
		return this.backend.describeLocation(this.request);
	}

	/**
	 * Location of the lock.
	 * @return the location
	 * @deprecated since every backend's lock has a location, not a path; use
	 * {@link #getLocation()}
	 */
	@Deprecated(forRemoval = true)
	public String getLockPath() {
		return getLocation();
	}

	/**
	 * Who holds the lock, without acquiring it. When this instance holds the lock, its
	 * own record is returned without touching the backend.
	 * @return the holder, or empty when nobody holds the lock
	 */
	public Optional<HolderRecord> checkRunningInstance() {
		LockLease current = this.lease;
		if (current != null && !current.isReleased()) {
			return Optional.of(current.holder());
		}
		return this.backend.inspect(this.request);
	}

}
