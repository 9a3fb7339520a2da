package io.forwardlock.lock;

import java.time.Duration;
import java.util.Optional;

/**
 * Strategy that grants exclusive, process-wide ownership of a named lock.
 * <p>
 * Implementations must be thread-safe. A lock name is held by at most one lease at a time
 * across every process (and, for a distributed backend, every host) that shares the
 * backend's medium, including leases of the same JVM.
 *
 * @see LockLease
 */
public interface LockBackend {

	/**
	 * Short identifier of this backend, such as {@code file} or {@code jdbc}.
	 * @return the backend id
	 */
	String id();

	/**
	 * Try once to acquire the lock described by the request.
	 * @param request what to lock and on whose behalf
	 * @return the lease, or an empty optional when somebody else holds the lock
	 * @throws LockException when the backend cannot decide (I/O failure, unsafe lock
	 * file, unreachable database)
	 */
	Optional<LockLease> tryAcquire(LockRequest request);

	/**
	 * Try to acquire the lock for an instance that gives up (refuses to start) when the
	 * lock is held, so that the answer is final: either the lock is acquired, or a live
	 * holder has it. The default is {@link #tryAcquire(LockRequest)}, right for every
	 * backend that tells a dead holder at first sight (a lock file the OS released, a
	 * lease judged on the database's clock). A backend that can only tell by watching,
	 * such as a lease judged on the contender's own clock, watches the holder for up to
	 * one lease duration: a renewal proves it alive (empty result); a lease left
	 * unchanged for its whole duration has expired and is taken over. Without this, an
	 * instance restarted after its holder crashed would see the lease afresh at every
	 * start and refuse forever.
	 * @param request what to lock and on whose behalf
	 * @return the lease, or an empty optional when a live holder has the lock
	 * @throws InterruptedException when the thread is interrupted while watching
	 * @throws LockException when the backend cannot decide
	 */
	default Optional<LockLease> tryAcquireDecisively(LockRequest request) throws InterruptedException {
		return tryAcquire(request);
	}

	/**
	 * Wait until the lock is free and acquire it. The default implementation polls
	 * {@link #tryAcquire(LockRequest)}; backends that can block on the medium itself
	 * should override this to react as soon as the holder is gone.
	 * @param request what to lock and on whose behalf
	 * @param pollInterval pause between two attempts when polling
	 * @return the lease
	 * @throws InterruptedException when the waiting thread is interrupted, for example by
	 * a shutdown while on standby
	 * @throws LockException when the backend cannot decide
	 */
	default LockLease acquireBlocking(LockRequest request, Duration pollInterval) throws InterruptedException {
		while (true) {
			Optional<LockLease> lease = tryAcquire(request);
			if (lease.isPresent()) {
				return lease.get();
			}
			Thread.sleep(Math.max(1, pollInterval.toMillis()));
		}
	}

	/**
	 * Tell who holds the lock without acquiring it and without disturbing the holder.
	 * @param request the lock to look at
	 * @return the current holder, or an empty optional when the lock is free
	 * @throws LockException when the backend cannot decide
	 */
	Optional<HolderRecord> inspect(LockRequest request);

	/**
	 * Whether leases of this backend must heartbeat to stay valid, whatever the heartbeat
	 * setting of the request says. Lease-based backends (JDBC) return {@code true}: their
	 * lock expires when the holder stops renewing it.
	 * @return {@code true} if the holder must always heartbeat
	 */
	default boolean requiresHeartbeat() {
		return false;
	}

	/**
	 * The facts of a refusal because another instance holds the lock: the holder, the
	 * location and the remedies that fit this backend, naming settings as
	 * {@link LockSetting LockSettings} only. The default describes a lock that the OS
	 * releases when its holder dies; a lease backend adds how long a crashed holder
	 * blocks ({@link LockErrors#instanceRunningOnLease}).
	 * @param holder the holder, possibly {@link HolderRecord#unknown()}
	 * @param request the lock
	 * @return the exception, of type {@link LockErrorType#INSTANCE_RUNNING}
	 */
	default LockException instanceRunning(HolderRecord holder, LockRequest request) {
		return LockErrors.instanceRunning(holder, describeLocation(request));
	}

	/**
	 * Human-readable location of the lock on this backend, such as the lock file path or
	 * the table and row. Used in messages and the actuator endpoint.
	 * @param request the lock
	 * @return the location
	 */
	String describeLocation(LockRequest request);

}
