package io.forwardlock.lock.file;

import io.forwardlock.lock.file.LockFiles.FileFacts;
import org.jspecify.annotations.Nullable;

/**
 * Result of one attempt to lock a lock file.
 *
 * @param outcome what happened
 * @param locked the held lock when acquired
 * @param observed the attributes of the file found, when known
 */
record Attempt(Outcome outcome, @Nullable LockedFile locked, @Nullable FileFacts observed) {

	static final Attempt RETRY = new Attempt(Outcome.RETRY, null, null);

	static Attempt held(@Nullable FileFacts observed) {
		return new Attempt(Outcome.HELD, null, observed);
	}

	static Attempt acquired(LockedFile locked, @Nullable FileFacts observed) {
		return new Attempt(Outcome.ACQUIRED, locked, observed);
	}

	/**
	 * The held lock of an acquired attempt.
	 * @return the lock
	 * @throws IllegalStateException when the attempt did not acquire
	 */
	LockedFile lockedFile() {
		if (this.locked == null) {
			throw new IllegalStateException("The attempt did not acquire the lock: " + this.outcome);
		}
		return this.locked;
	}

}
