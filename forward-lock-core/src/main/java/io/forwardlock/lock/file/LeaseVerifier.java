package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.Verification;
import io.forwardlock.lock.file.LockFiles.FileFacts;
import org.jspecify.annotations.Nullable;

/**
 * The thorough check of a {@link FileLockLease}, and its repairs: the OS lock, the
 * channel, and that the path still names the locked file with this process's PID in it.
 * <p>
 * The channel that holds the lock is never closed here. Kernel evidence that cannot be
 * trusted counts as "still held"; only consistent evidence that the lock is gone leads to
 * a repair, and the repair re-takes one region of the lock while the other keeps
 * everybody out, so it never opens a gap. A vanished file is re-created and re-locked
 * when nobody else holds the lock ({@code HEALED}); a replaced file, or another process's
 * PID in the file without the kernel confirming that this process holds the lock, means
 * the lock is {@code LOST}. Called with the lease's monitor held.
 */
final class LeaseVerifier {

	private static final long RELOCK_PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(2);

	private static final long RELOCK_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private final FileLockLease lease;

	private final LockTarget target;

	LeaseVerifier(FileLockLease lease, LockTarget target) {
		this.lease = lease;
		this.target = target;
	}

	Verification verify() throws IOException {
		LockedFile current = this.lease.locked();
		if (!current.channel().isOpen()) {
			// the descriptor is gone, and the kernel lock went with it
			FileFacts atPath = LockFiles.lstat(this.target.path());
			if (atPath != null && !current.facts().sameFileAs(atPath)) {
				return lost("the channel holding the lock was closed and the lock file was replaced");
			}
			return reopen(current,
					"the channel holding the lock was closed (an interrupt during its I/O?); "
							+ "locked the lock file again",
					"the channel holding the lock was closed and another process locked the file since");
		}
		OsLocks.Evidence evidence = current.valid() ? current.evidence(this.lease.backend().kernel())
				: OsLocks.Evidence.NOT_HELD;
		String repaired = null;
		if (evidence == OsLocks.Evidence.NOT_HELD) {
			FileFacts atPath = LockFiles.lstat(this.target.path());
			if (atPath != null && !isMine(current, atPath)) {
				return lost("the OS lock was dropped and the lock file was replaced");
			}
			LockedFile relocked = relockWithoutGap(current);
			if (relocked == null) {
				return lost("the OS lock was dropped and another process locked the file since");
			}
			this.lease.replaceLocked(relocked);
			current = relocked;
			repaired = "the OS lock was dropped (the kernel no longer showed it: was a descriptor of the lock "
					+ "file closed in this process?); locked it again without letting go of it";
		}
		FileFacts atPath = LockFiles.lstat(this.target.path());
		if (isMine(current, atPath)) {
			return checkContent(current, evidence == OsLocks.Evidence.HELD, repaired);
		}
		if (atPath != null) {
			// a file that nobody locks (a failed contender's leftover, a restored
			// backup) is taken over; one that another process locks means the loss
			return reopen(current, "the lock file was replaced by a file that nobody held; locked that file",
					"the lock file was replaced by another file, which another process holds");
		}
		return reopen(current, "the lock file was deleted; re-created it",
				"the lock file was deleted and another process locked it since");
	}

	/**
	 * The cheap part of the check, for {@code ensureHeld()}: Java still holds both
	 * regions and one {@code lstat} shows that the path names the locked file.
	 * @param current the held lock
	 * @return what is wrong, or {@code null} when nothing is
	 * @throws IOException on I/O failure
	 */
	@Nullable String quickCheck(LockedFile current) throws IOException {
		if (!current.valid()) {
			return "the channel holding the lock was closed or its lock released";
		}
		FileFacts atPath = LockFiles.lstat(this.target.path());
		if (!isMine(current, atPath)) {
			return (atPath != null) ? "the lock file was replaced by another file" : "the lock file was deleted";
		}
		return null;
	}

	/**
	 * Whether the path names the locked file. An open descriptor's device and inode never
	 * change, so the identity recorded when it was locked is still the identity of the
	 * file behind the channel.
	 * @param current the held lock
	 * @param atPath what the path names now, or {@code null}
	 * @return whether it is the locked file
	 */
	private static boolean isMine(LockedFile current, @Nullable FileFacts atPath) {
		FileFacts mine = current.facts();
		return (mine.fileKey() != null) ? mine.sameFileAs(atPath) : (atPath != null && !atPath.symbolicLink());
	}

	private Verification checkContent(LockedFile current, boolean confirmed, @Nullable String repaired)
			throws IOException {
		byte[] content = HolderFiles.readStart(current.channel());
		byte[] expected = HolderFiles.pidContent(this.lease.holder().pid());
		if (!Arrays.equals(content, expected)) {
			String found = describeContent(content);
			if (!confirmed) {
				// another PID is evidence of a second holder, unless the kernel says that
				// this process holds the lock right now
				return lost("the lock file names " + found
						+ " instead of this process, and the kernel does not confirm that this process holds the lock");
			}
			LockAttempts.writePid(current.channel());
			return Verification.healed("the lock file's content was changed (it named " + found
					+ "); the kernel confirms that this process holds the lock; rewrote the PID");
		}
		byte[] holderContent = this.lease.holderContent();
		Optional<byte[]> raw = HolderFiles.readBytes(this.target.holderFile());
		if (raw.isPresent() && Arrays.equals(raw.get(), holderContent)) {
			// what this lease wrote, byte for byte: no need to parse it
			return (repaired != null) ? Verification.healed(repaired) : Verification.held();
		}
		Optional<HolderRecord> recorded = raw.flatMap(HolderFiles::parse);
		if (recorded.isEmpty() || !recorded.get().equals(this.lease.holder())) {
			LockFiles.writeAtomically(this.target.holderFile(), holderContent);
			return Verification.healed(((repaired != null) ? repaired + "; " : "")
					+ "the holder record file was missing or changed; rewrote it");
		}
		return (repaired != null) ? Verification.healed(repaired) : Verification.held();
	}

	/**
	 * Describe a lock file's content for a message, without printing what a stranger
	 * wrote.
	 */
	private static String describeContent(byte[] content) {
		OptionalLong pid = HolderFiles.parsePid(content);
		if (pid.isPresent()) {
			return "PID " + pid.getAsLong();
		}
		return (content.length == 0) ? "nothing" : "something other than a PID";
	}

	/**
	 * Take each region of the lock again while the other one keeps everybody out. If the
	 * kernel still had the lock, nobody else could get in at any moment; if it had really
	 * dropped it, this locks the file again unless another process took it.
	 * @return the re-taken lock, or {@code null} if another process holds it
	 */
	private @Nullable LockedFile relockWithoutGap(LockedFile current) throws IOException {
		FileChannel channel = current.channel();
		if (current.head().isValid()) {
			current.head().release();
		}
		FileLock head = lockPatiently(channel, 0, LockedFile.HEAD_SIZE);
		if (head == null) {
			return null;
		}
		if (current.tail().isValid()) {
			current.tail().release();
		}
		FileLock tail = lockPatiently(channel, LockedFile.TAIL_POSITION, LockedFile.TAIL_SIZE);
		if (tail == null) {
			// keep what is held so that release() lets go of it
			this.lease.replaceLocked(current.withRegions(head, current.tail()));
			return null;
		}
		return current.withRegions(head, tail);
	}

	/**
	 * Try a region for a short while: a contender may hold it for an instant before it
	 * finds the other region taken and lets go.
	 */
	private static @Nullable FileLock lockPatiently(FileChannel channel, long position, long size) throws IOException {
		long deadline = System.nanoTime() + RELOCK_PATIENCE_NANOS;
		while (true) {
			FileLock lock;
			try {
				lock = channel.tryLock(position, size, false);
			}
			catch (OverlappingFileLockException ex) {
				// another channel of this JVM locked the same file under another name
				return null;
			}
			if (lock != null || System.nanoTime() - deadline > 0) {
				return lock;
			}
			LockSupport.parkNanos(RELOCK_POLL_NANOS);
		}
	}

	/**
	 * Lock the path again after the file vanished or was replaced by a file that nobody
	 * locks, or after the channel was closed. The old channel stays open until the new
	 * lock is in place; it refers to an orphaned file or to nothing, so closing it
	 * afterwards cannot drop the new lock.
	 */
	private Verification reopen(LockedFile current, String detail, String lostDetail) throws IOException {
		if (current.descriptor() < 0) {
			// nothing tells its descriptor from the new one: let go of the orphan first
			LockAttempts.closeQuietly(current.channel());
		}
		// the old file is an orphan, or its lock is gone with the closed channel: nobody
		// in this JVM can lock it again, so descriptors parked on it may be closed
		HeldLocks.closeParked(current.facts().fileKey());
		HeldLocks.forgetFile(current.facts().fileKey(), this.lease);
		// a tmp cleaner may have removed the whole directory
		PlatformDefaults.createDirectory(this.target.path().getParent(), this.lease.directoryMode());
		for (int i = 0; i < FileLockBackend.MAX_ATTEMPTS; i++) {
			Attempt attempt = this.lease.backend()
				.attempts()
				.attempt(this.target, false, this.lease.heartbeatEnabled(),
						current.channel().isOpen() ? current.descriptor() : -1);
			if (attempt.outcome() == Outcome.ACQUIRED) {
				LockedFile locked = attempt.lockedFile();
				if (this.lease.isReleased()) {
					// released while this verification was stuck: keep nothing
					LockAttempts.closeQuietly(locked.channel());
					return Verification.lost("the lease was released", null);
				}
				this.lease.replaceLocked(locked);
				HeldLocks.holdFile(locked.facts().fileKey(), this.lease);
				this.lease.rewatch();
				LockAttempts.closeQuietly(current.channel());
				LockFiles.writeAtomically(this.target.holderFile(), this.lease.holderContent());
				return Verification.healed(detail);
			}
			if (attempt.outcome() == Outcome.HELD) {
				return lost(lostDetail);
			}
		}
		return Verification.lost("the lock file kept changing while re-creating it", null);
	}

	private Verification lost(String detail) {
		return Verification.lost(detail, otherHolder().orElse(HolderRecord.unknown()));
	}

	private Optional<HolderRecord> otherHolder() {
		return HolderFiles.read(this.target.holderFile()).filter((r) -> !r.equals(this.lease.holder()));
	}

}
