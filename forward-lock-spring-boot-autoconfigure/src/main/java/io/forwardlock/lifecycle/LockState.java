package io.forwardlock.lifecycle;

/**
 * State of the application's instance lock, as the lifecycle sees it.
 */
public enum LockState {

	/**
	 * The lifecycle has not tried to acquire the lock yet.
	 */
	NOT_STARTED,

	/**
	 * Waiting for another instance to release the lock ({@code forward.lock.standby}).
	 */
	STANDBY,

	/**
	 * This instance holds the lock.
	 */
	ACQUIRED,

	/**
	 * This instance held the lock and lost it.
	 */
	LOST,

	/**
	 * This instance released the lock on shutdown.
	 */
	RELEASED

}
