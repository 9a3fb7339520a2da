package io.forwardlock.lock.file;

/**
 * What one attempt to lock a lock file came to.
 */
enum Outcome {

	/**
	 * The lock is held through the attempt's channel, and the path names the locked file.
	 */
	ACQUIRED,

	/**
	 * Another process, or another lease of this JVM, holds the lock.
	 */
	HELD,

	/**
	 * The file changed under the attempt: try again.
	 */
	RETRY

}
