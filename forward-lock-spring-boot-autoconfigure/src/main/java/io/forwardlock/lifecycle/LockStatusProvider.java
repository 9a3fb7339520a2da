package io.forwardlock.lifecycle;

/**
 * Source of the current {@link LockStatus}. Implementations answer from memory and never
 * block, open the lock file or take a lock.
 */
@FunctionalInterface
public interface LockStatusProvider {

	/**
	 * Current snapshot of the lock.
	 * @return the snapshot
	 */
	LockStatus getStatus();

}
