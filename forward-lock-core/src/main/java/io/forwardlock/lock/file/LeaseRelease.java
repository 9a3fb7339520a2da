package io.forwardlock.lock.file;

import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;

import io.forwardlock.lock.HolderRecord;
import org.jspecify.annotations.Nullable;

/**
 * How a file lock is let go: clean up while the lock is still held, and only if the path
 * still names the held file, then release the lock, then close the channel.
 */
final class LeaseRelease {

	private LeaseRelease() {
	}

	/**
	 * Clean up the lock file and holder record if the path still names the held file and
	 * the lock is still this lease's, then release the lock and close the channel. Where
	 * {@code /proc/self/fd} proved which file the channel holds, the lock file is
	 * unlinked; otherwise it is kept and emptied: without that proof an acquirer cannot
	 * tell a replaced file from its own, and a file that is never unlinked is never
	 * replaced (Lucene keeps its lock files for the same reason).
	 * <p>
	 * The lock is still this lease's when the kernel shows it. When the kernel cannot be
	 * asked ({@code UNKNOWN}), only when the lock file, read through the held channel,
	 * still holds this lease's PID, and the holder record is still this lease's: a second
	 * holder that locked the file after this process's lock was dropped writes its own. A
	 * lease whose loss was recorded passes no owner and never cleans up: its file may be
	 * a successor's.
	 * @param target where the lock lives
	 * @param locked the held lock
	 * @param serialized whether to check and unlink under the takeover lock, so that a
	 * takeover's replacement is never unlinked by the holder it replaced
	 * @param kernel the view of the kernel's locks
	 * @param owner what the lease wrote, or {@code null} to let go without cleaning up
	 * (the lease's loss was recorded)
	 * @throws IOException on failure; the lock is released and the channel closed anyway
	 */
	static void unlinkAndClose(LockTarget target, LockedFile locked, boolean serialized, OsLocks kernel,
			@Nullable Owner owner) throws IOException {
		@Nullable IOException failure = null;
		try {
			// never touch a file whose OS lock this process no longer holds, or may no
			// longer hold: someone else may
			OsLocks.Evidence evidence = (owner != null && locked.valid()) ? locked.evidence(kernel)
					: OsLocks.Evidence.NOT_HELD;
			if (evidence != OsLocks.Evidence.NOT_HELD) {
				boolean confirmed = evidence == OsLocks.Evidence.HELD;
				if (serialized) {
					// busy: leave the file; a leftover never blocks anybody
					TakeoverLock.serialized(target, () -> cleanUpIfStillOurs(target, locked, confirmed, owner), false);
				}
				else {
					cleanUpIfStillOurs(target, locked, confirmed, owner);
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

	private static boolean cleanUpIfStillOurs(LockTarget target, LockedFile locked, boolean confirmed, Owner owner)
			throws IOException {
		// the identity recorded at locking time is the held channel's: it cannot change
		if (!LockFiles.pathNames(target.path(), locked.facts())) {
			return false;
		}
		if (!confirmed && !owner.wroteBoth(target, locked)) {
			// the kernel cannot confirm the lock, and another holder's mark is there
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

	/**
	 * What a lease wrote: the lock file's content and its holder record.
	 *
	 * @param pidContent the lock file's content, this process's PID
	 * @param holder the holder record
	 * @param holderContent the holder record file's content as written
	 */
	record Owner(byte[] pidContent, HolderRecord holder, byte[] holderContent) {

		/**
		 * Whether the lock file, read through the held channel, and the holder record are
		 * still what the lease wrote.
		 */
		boolean wroteBoth(LockTarget target, LockedFile locked) throws IOException {
			if (!Arrays.equals(HolderFiles.readStart(locked.channel()), this.pidContent)) {
				return false;
			}
			Optional<byte[]> recorded = HolderFiles.readBytes(target.holderFile());
			return recorded.isPresent() && (Arrays.equals(recorded.get(), this.holderContent)
					|| HolderFiles.parse(recorded.get()).filter(this.holder::equals).isPresent());
		}

	}

}
