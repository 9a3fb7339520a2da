package io.forwardlock.lock.file;

import java.io.IOException;

import org.jspecify.annotations.Nullable;

/**
 * How a file lock is let go: clean up while the lock is still held, and only if the path
 * still names the held file, then release the lock, then close the channel.
 */
final class LeaseRelease {

	private LeaseRelease() {
	}

	/**
	 * Clean up the lock file and holder record if the path still names the held file,
	 * then release the lock and close the channel. Where {@code /proc/self/fd} proved
	 * which file the channel holds, the lock file is unlinked; otherwise it is kept and
	 * emptied: without that proof an acquirer cannot tell a replaced file from its own,
	 * and a file that is never unlinked is never replaced (Lucene keeps its lock files
	 * for the same reason).
	 * @param target where the lock lives
	 * @param locked the held lock
	 * @param serialized whether to check and unlink under the takeover lock, so that a
	 * takeover's replacement is never unlinked by the holder it replaced
	 * @param kernel the view of the kernel's locks
	 * @throws IOException on failure; the lock is released and the channel closed anyway
	 */
	static void unlinkAndClose(LockTarget target, LockedFile locked, boolean serialized, OsLocks kernel)
			throws IOException {
		@Nullable IOException failure = null;
		try {
			// never touch a file whose OS lock this process no longer holds: someone
			// else may
			if (locked.valid() && locked.evidence(kernel) != OsLocks.Evidence.NOT_HELD) {
				if (serialized) {
					// busy: leave the file; a leftover never blocks anybody
					Takeover.serialized(target, () -> cleanUpIfStillNamed(target, locked), false);
				}
				else {
					cleanUpIfStillNamed(target, locked);
				}
			}
		}
		catch (IOException ex) {
			failure = ex;
		}
		finally {
			failure = closeHeld(locked, failure);
		}
		if (failure != null) {
			throw failure;
		}
	}

	/**
	 * Let go of a lock without cleaning up: close the descriptors parked on its file
	 * while the lock still keeps every other channel of this JVM off it, release both
	 * regions, close the channel.
	 * @param locked the held lock
	 * @param failure an earlier failure, or {@code null}
	 * @return the first failure
	 */
	static @Nullable IOException closeHeld(LockedFile locked, @Nullable IOException failure) {
		// descriptors opened under another name: closing them now drops only the kernel
		// lock that is being released anyway, while the Java lock still keeps every
		// other channel of this JVM off the file
		HeldLocks.closeParked(locked.facts().fileKey());
		try {
			locked.releaseLocks();
		}
		catch (IOException ex) {
			failure = (failure != null) ? failure : ex;
		}
		try {
			locked.channel().close();
		}
		catch (IOException ex) {
			failure = (failure != null) ? failure : ex;
		}
		return failure;
	}

	private static boolean cleanUpIfStillNamed(LockTarget target, LockedFile locked) throws IOException {
		// the identity recorded at locking time is the held channel's: it cannot change
		if (!LockFiles.pathNames(target.path(), locked.facts())) {
			return false;
		}
		LockFiles.deleteIfExists(target.holderFile());
		if (locked.identityProven()) {
			LockFiles.deleteIfExists(target.path());
		}
		else {
			locked.channel().truncate(0);
		}
		return true;
	}

}
