package io.forwardlock.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.forwardlock.diagnostics.LockStartupException;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.InstanceLock;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Acquires the lock at start-up as a {@link LockAcquisitionPolicy} says: one attempt,
 * several attempts with a pause in between, or a standby wait that lasts until the holder
 * is gone.
 * <p>
 * Every failure comes out as a {@link LockStartupException} carrying the exit code: the
 * policy's when another instance holds the lock, {@code 1} when the backend could not be
 * reached, so that a supervisor restarts the instance. A JVM shutdown (SIGTERM) while
 * waiting interrupts the waiting thread: Spring's own shutdown hook would otherwise block
 * on the context's start-up lock for as long as the wait lasts, because a thread sleeping
 * or blocked in a native lock call does not look stuck to it.
 */
public class LockAcquirer {

	private static final Log logger = LogFactory.getLog(LockAcquirer.class);

	/**
	 * Exit status of a start-up that failed for another reason than a lock held
	 * elsewhere, as for any failed Spring Boot start-up.
	 */
	private static final int FAILED_EXIT_CODE = 1;

	private final LockBackend backend;

	private final LockRequest request;

	private final LockAcquisitionPolicy policy;

	/**
	 * Create a new instance.
	 * @param backend the backend to lock with
	 * @param request the lock to take
	 * @param policy retries, standby and exit code
	 */
	public LockAcquirer(LockBackend backend, LockRequest request, LockAcquisitionPolicy policy) {
		this.backend = Objects.requireNonNull(backend, "'backend' must not be null");
		this.request = Objects.requireNonNull(request, "'request' must not be null");
		this.policy = Objects.requireNonNull(policy, "'policy' must not be null");
	}

	/**
	 * Acquire the lock.
	 * @param onStandby called once with the current holder when the instance starts
	 * waiting on standby
	 * @return the acquisition
	 * @throws LockStartupException when the lock could not be acquired, the backend
	 * failed, or the wait was interrupted
	 */
	public LockAcquisition acquire(Consumer<HolderRecord> onStandby) {
		long started = System.nanoTime();
		// On a lease backend even a single attempt may wait: a decisive attempt can watch
		// the holder for up to one lease duration
		boolean mayWait = this.policy.standby() || this.policy.maxRetries() > 0 || this.backend.requiresHeartbeat();
		ShutdownInterrupter interrupter = mayWait ? ShutdownInterrupter.register() : null;
		try {
			return this.policy.standby() ? waitOnStandby(started, onStandby) : tryWithRetries(started);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LockStartupException(interrupted(), this.policy.exitCode());
		}
		catch (LockStartupException ex) {
			throw ex;
		}
		catch (LockException ex) {
			// The exit code says "the lock could not be taken", which a supervisor must
			// not restart blindly. A backend that could not be reached is worth a
			// restart, and a set-up that cannot work ends like any invalid setting of
			// the application: neither is about the lock being held
			int exitCode = (InstanceLock.isTransient(ex) || ex.getType() == LockErrorType.INVALID_CONFIGURATION)
					? FAILED_EXIT_CODE : this.policy.exitCode();
			throw new LockStartupException(ex, exitCode);
		}
		finally {
			if (interrupter != null) {
				interrupter.close();
			}
		}
	}

	private LockAcquisition tryWithRetries(long started) throws InterruptedException {
		int attempts = this.policy.maxRetries() + 1;
		for (int attempt = 1;; attempt++) {
			// Decisive: a backend that must watch the holder to tell whether it is alive
			// (Kubernetes) does so here, so that a crashed holder never blocks a restart
			Optional<LockLease> lease = this.backend.tryAcquireDecisively(this.request);
			if (lease.isPresent()) {
				return acquired(lease.get(), started, attempt, false);
			}
			HolderRecord holder = inspectQuietly();
			if (attempt >= attempts) {
				LockException running = this.backend.instanceRunning(holder, this.request);
				throw (attempts == 1) ? running : LockErrors.maxRetriesExceeded(attempt, running);
			}
			logger.info(String.format("Lock '%s' is held by %s; attempt %d of %d failed, next attempt in %s",
					this.request.name(), holder.describe(), attempt, attempts, this.policy.retryDelay()));
			Thread.sleep(Math.max(1, this.policy.retryDelay().toMillis()));
		}
	}

	private LockAcquisition waitOnStandby(long started, Consumer<HolderRecord> onStandby) throws InterruptedException {
		Optional<LockLease> lease;
		try {
			lease = this.backend.tryAcquire(this.request);
		}
		catch (LockException ex) {
			if (!InstanceLock.isTransient(ex)) {
				throw ex;
			}
			lease = Optional.empty();
		}
		if (lease.isPresent()) {
			return acquired(lease.get(), started, 1, false);
		}
		HolderRecord holder = inspectQuietly();
		logger.info(String.format("Lock '%s' at %s is held by %s; waiting on standby until it is free",
				this.request.name(), location(), holder.describe()));
		if (onStandby != null) {
			onStandby.accept(holder);
		}
		LockLease acquired = InstanceLock.awaitLease(this.backend, this.request, this.policy.retryDelay(),
				(failure, inARow, pause) -> logger
					.warn(String.format("Could not wait for lock '%s' (%s); retrying in %d ms (failure %d in a row)",
							this.request.name(), failure.getSummary(), pause.toMillis(), inARow)));
		LockAcquisition acquisition = acquired(acquired, started, 2, true);
		logger.info(String.format("Took over lock '%s' after %d ms on standby", this.request.name(),
				acquisition.duration().toMillis()));
		return acquisition;
	}

	/**
	 * Time the acquisition as soon as the backend returned the lease, not when the
	 * attempt began: a decisive attempt may watch the holder for up to a lease duration,
	 * and a standby waits for as long as it takes, before the lease is granted.
	 */
	private static LockAcquisition acquired(LockLease lease, long started, int attempts, boolean afterStandby) {
		long acquiredAt = System.nanoTime();
		return new LockAcquisition(lease, acquiredAt, Duration.ofNanos(acquiredAt - started), attempts, afterStandby);
	}

	private HolderRecord inspectQuietly() {
		try {
			return this.backend.inspect(this.request).orElse(HolderRecord.unknown());
		}
		catch (LockException ex) {
			logger.debug("Could not tell who holds lock '" + this.request.name() + "'", ex);
			return HolderRecord.unknown();
		}
	}

	private String location() {
		return this.backend.describeLocation(this.request);
	}

	private LockException interrupted() {
		return new LockException(LockErrorType.INSTANCE_RUNNING,
				"Start-up was interrupted (shutdown requested) while waiting for the lock; nothing was started", null,
				location(), List.of("Start this instance again when it should take over the lock"), null);
	}

	/**
	 * Interrupts the waiting thread when the JVM begins to shut down.
	 */
	private static final class ShutdownInterrupter implements AutoCloseable {

		private final Thread waiter = Thread.currentThread();

		private final AtomicBoolean armed = new AtomicBoolean(true);

		private final Thread hook = new Thread(this::interruptWaiter, "forward-lock-abort-wait");

		static ShutdownInterrupter register() {
			ShutdownInterrupter interrupter = new ShutdownInterrupter();
			try {
				Runtime.getRuntime().addShutdownHook(interrupter.hook);
			}
			catch (IllegalStateException ex) {
				// Already shutting down: do not start waiting at all
				interrupter.armed.set(false);
				Thread.currentThread().interrupt();
			}
			return interrupter;
		}

		private void interruptWaiter() {
			if (this.armed.getAndSet(false)) {
				this.waiter.interrupt();
			}
		}

		@Override
		public void close() {
			if (this.armed.getAndSet(false)) {
				try {
					Runtime.getRuntime().removeShutdownHook(this.hook);
				}
				catch (IllegalStateException ex) {
					// Shutdown in progress; the hook is disarmed and will do nothing
				}
			}
		}

	}

}
