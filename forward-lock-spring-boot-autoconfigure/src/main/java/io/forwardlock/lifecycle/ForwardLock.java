package io.forwardlock.lifecycle;

import java.util.OptionalLong;

import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;

/**
 * The application's instance lock, as guarded work sees it. Inject it and call
 * {@link #ensureHeld()} right before each side effect that must never happen twice at the
 * same time:
 *
 * <pre class="code">
 * long token = forwardLock.ensureHeld().orElse(0);
 * ledger.append(entry, token);
 * </pre>
 *
 * The check is cheap: no database call (a lease backend compares its local deadline with
 * the monotonic clock), at most a few system calls. It narrows the window between a loss
 * and the last side effect to the time between the check and the effect; only a fencing
 * token that the downstream system checks closes it.
 */
public interface ForwardLock {

	/**
	 * Check that this instance still holds the lock, as far as it can tell without a
	 * remote call.
	 * @return the fencing token of the current acquisition, where the backend has one
	 * @throws LockException with {@link LockErrorType#LOCK_LOST} when the lock is not
	 * held, was lost, or may have been taken over (its local deadline has passed)
	 */
	OptionalLong ensureHeld();

	/**
	 * Whether {@link #ensureHeld()} would succeed now.
	 * @return whether the lock is held
	 */
	default boolean isHeld() {
		try {
			ensureHeld();
			return true;
		}
		catch (LockException ex) {
			return false;
		}
	}

}
