package io.forwardlock.lock.file;

import java.util.OptionalLong;

import io.forwardlock.lock.file.LockFiles.FileFacts;
import org.jspecify.annotations.Nullable;

/**
 * Result of one attempt to lock a lock file.
 *
 * @param outcome what happened
 * @param locked the held lock when acquired
 * @param observed the attributes of the file found, when known
 * @param fencingToken the fencing token issued under the takeover lock when acquired with
 * the heartbeat on, empty otherwise
 */
record Attempt(Outcome outcome, @Nullable LockedFile locked, @Nullable FileFacts observed, OptionalLong fencingToken) {

	static final Attempt RETRY = new Attempt(Outcome.RETRY, null, null, OptionalLong.empty());

	static Attempt held(@Nullable FileFacts observed) {
		return new Attempt(Outcome.HELD, null, observed, OptionalLong.empty());
	}

	static Attempt acquired(LockedFile locked, @Nullable FileFacts observed) {
		return new Attempt(Outcome.ACQUIRED, locked, observed, OptionalLong.empty());
	}

	/**
	 * This attempt with the fencing token issued for it, if it acquired.
	 * @param token the token
	 * @return the attempt with the token
	 */
	Attempt withFencingToken(long token) {
		return (this.outcome == Outcome.ACQUIRED)
				? new Attempt(this.outcome, this.locked, this.observed, OptionalLong.of(token)) : this;
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
