package io.forwardlock.lock;

/**
 * Kind of a {@link LockException}, stable across versions so that logs, alerts and
 * runbooks can match on it.
 */
public enum LockErrorType {

	/**
	 * Another live instance holds the lock.
	 */
	INSTANCE_RUNNING,

	/**
	 * The lock file or its directory cannot be created, opened or written.
	 */
	PERMISSION_DENIED,

	/**
	 * The lock changed hands while it was being acquired; the attempt may be retried.
	 */
	RACE_CONDITION,

	/**
	 * Every allowed attempt found the lock held.
	 */
	MAX_RETRIES_EXCEEDED,

	/**
	 * The lock was released but cleaning up failed.
	 */
	RELEASE_FAILED,

	/**
	 * The lock path is a symbolic link, directory, FIFO or other non-regular file, or is
	 * owned by another user, and was refused without being touched.
	 */
	UNSAFE_LOCK_FILE,

	/**
	 * The lock directory can be written by users other than its owner without the sticky
	 * bit, or belongs to a user other than this one or root, so others could replace the
	 * lock file; it was refused without being touched.
	 */
	UNSAFE_LOCK_DIRECTORY,

	/**
	 * A held lock was taken over or could no longer be proven.
	 */
	LOCK_LOST,

	/**
	 * The backend's medium (file system, database) failed.
	 */
	BACKEND_UNAVAILABLE,

	/**
	 * The lock is set up in a way that cannot work, such as a database in the JVM's own
	 * memory, a database the backend does not support or an invalid table name; retrying
	 * does not help, changing the setup does.
	 */
	INVALID_CONFIGURATION

}
