package io.forwardlock.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

import org.jspecify.annotations.Nullable;

/**
 * Proof that this process holds a lock, returned by {@link LockBackend#tryAcquire}.
 * <p>
 * A lease is single-use: once released it can never be used again. It can be released
 * from any thread, which matters because Spring stops lifecycle beans on its
 * shutdown-hook thread, and {@link #release()} is idempotent.
 */
public interface LockLease extends AutoCloseable {

	/**
	 * Name of the lock this lease holds.
	 * @return the lock name
	 */
	String lockName();

	/**
	 * Id of the backend that granted this lease.
	 * @return the backend id
	 */
	String backendId();

	/**
	 * Human-readable location of the lock, such as the lock file path.
	 * @return the location
	 */
	String location();

	/**
	 * Record describing this holder, as other processes see it.
	 * @return the holder record
	 */
	HolderRecord holder();

	/**
	 * Fencing token of this acquisition: a number that strictly increases with every
	 * acquisition of the lock. Downstream systems can reject writes that carry a smaller
	 * token than one they have already seen.
	 * @return the token, or empty when the backend has none
	 */
	OptionalLong fencingToken();

	/**
	 * Check that this lease still holds the lock. Never opens a second descriptor on a
	 * held lock file. May repair a vanished lock file when nobody else holds the lock.
	 * @return the outcome of the verification
	 * @throws LockException when the backend cannot decide, for example an unreachable
	 * database (the caller decides how long to tolerate that)
	 */
	Verification verify();

	/**
	 * Ask to be told, between scheduled verifications, when the backend sees a change
	 * that may have cost the lock (the file backend: its lock file or directory deleted,
	 * renamed or replaced). The listener runs on a backend thread; it should only
	 * schedule a {@link #verify()}, which decides. It may be called when nothing was
	 * lost. Backends that cannot tell ignore it.
	 * @param listener the listener, replacing an earlier one; {@code null} to stop
	 */
	default void onSuspectedLoss(@Nullable Runnable listener) {
	}

	/**
	 * Signal that the holder is alive (touch the file, renew the lease).
	 * @throws LockException when the heartbeat could not be written
	 */
	void heartbeat();

	/**
	 * Check cheaply, right before a side effect, that this lease has not been lost as far
	 * as this process can tell: no remote call (a lease backend checks its local
	 * deadline), at most a few system calls. {@link #verify()} is the thorough check.
	 * @throws LockException with {@link LockErrorType#LOCK_LOST} when the lease is known
	 * to be lost, has run out, or was released
	 */
	default void ensureHeld() {
		if (isReleased()) {
			throw LockErrors.lockLost(location(), "the lease was released", null);
		}
	}

	/**
	 * Time this lease has left on this host's monotonic clock before another process may
	 * take the lock over, when the lease expires by itself.
	 * @return the time left (zero once run out), or empty for a lock that does not expire
	 * while its holder lives
	 */
	default Optional<Duration> timeLeft() {
		return Optional.empty();
	}

	/**
	 * Whether {@link #release()} has been called.
	 * @return {@code true} once released
	 */
	boolean isReleased();

	/**
	 * Release the lock. Idempotent and callable from any thread.
	 * @throws LockException with {@link LockErrorType#RELEASE_FAILED} when the lock was
	 * released but cleanup failed
	 */
	void release();

	/**
	 * Same as {@link #release()}.
	 */
	@Override
	default void close() {
		release();
	}

}
