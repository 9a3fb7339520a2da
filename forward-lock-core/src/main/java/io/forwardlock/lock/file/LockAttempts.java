package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Duration;

import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.LockFiles.FileFacts;
import org.jspecify.annotations.Nullable;

/**
 * One attempt to lock the file at a lock path, shared by acquisition, waiting and the
 * lease's repair: refuse unsafe files, open without following links, tell which file the
 * descriptor is, lock, then prove that the path still names the locked file.
 */
final class LockAttempts {

	private final FileLockBackend backend;

	LockAttempts(FileLockBackend backend) {
		this.backend = backend;
	}

	/**
	 * Attempts without waiting, as many as a lock file replaced under them needs, and a
	 * takeover of a holder that stopped heartbeating.
	 * @param target where the lock lives
	 * @param request the request
	 * @return the acquired attempt, or {@code null} when the lock is held
	 * @throws IOException on I/O failure
	 */
	@Nullable Attempt tryOnce(LockTarget target, LockRequest request) throws IOException {
		for (int i = 0; i < FileLockBackend.MAX_ATTEMPTS; i++) {
			Attempt attempt = attempt(target, false, request.heartbeatEnabled(), -1);
			if (attempt.outcome() == Outcome.HELD && request.heartbeatEnabled()) {
				attempt = Takeover.tryTakeOver(this.backend, target, attempt.observed());
			}
			if (attempt.outcome() == Outcome.ACQUIRED) {
				return attempt;
			}
			if (attempt.outcome() == Outcome.HELD) {
				return null;
			}
		}
		throw LockErrors.raceCondition(target.location());
	}

	/**
	 * Wait in the kernel for the lock, and poll while this JVM itself holds the file
	 * under another name.
	 * @param target where the lock lives
	 * @param pollInterval how often to look again in that case
	 * @return the acquired attempt
	 * @throws IOException on I/O failure
	 * @throws InterruptedException if interrupted while waiting
	 */
	Attempt waitFor(LockTarget target, Duration pollInterval) throws IOException, InterruptedException {
		while (true) {
			if (Thread.interrupted()) {
				throw new InterruptedException("Interrupted while waiting for " + target.location());
			}
			Attempt attempt = attempt(target, true, false, -1);
			if (attempt.outcome() == Outcome.ACQUIRED) {
				return attempt;
			}
			if (attempt.outcome() == Outcome.HELD) {
				// only when this JVM holds the file through a channel of its own
				Thread.sleep(Math.max(1, pollInterval.toMillis()));
			}
		}
	}

	/**
	 * One attempt to lock the file at the target's path.
	 * @param target where the lock lives
	 * @param blocking whether to wait for the OS lock
	 * @param serialized whether to confirm the path under the takeover lock, so that a
	 * concurrent heartbeat takeover cannot replace the file unnoticed, and to issue a
	 * fencing token there (the heartbeat is on)
	 * @param olderDescriptor a descriptor this process still has open on an older file of
	 * the same name, to tell it from the new one, or {@code -1}
	 * @return the outcome
	 * @throws IOException on I/O failure
	 */
	Attempt attempt(LockTarget target, boolean blocking, boolean serialized, int olderDescriptor) throws IOException {
		// know whether this attempt created the file: only then may a failure remove it
		boolean created = false;
		FileChannel channel;
		try {
			// the usual case after a clean release: nothing planted can be opened by
			// creating a new file
			channel = this.backend.openLockFile(target.path(), true);
			created = true;
		}
		catch (FileAlreadyExistsException ex) {
			FileFacts existing = LockFiles.lstat(target.path());
			if (existing == null) {
				return Attempt.RETRY;
			}
			if (HeldLocks.leaseOf(existing.fileKey()) != null) {
				// this JVM holds the file under another name (a bind mount, another
				// case): opening it would risk a descriptor that must never be closed
				return Attempt.held(existing);
			}
			if (ForeignLockFiles.isForeign(existing)) {
				// another user's lock file in a shared directory: name its holder, or
				// replace its leftover as root
				return ForeignLockFiles.attempt(target, existing, serialized);
			}
			LockFiles.requireSafe(target.path(), existing);
			channel = this.backend.openLockFile(target.path(), false);
		}
		boolean keep = false;
		try {
			Descriptors.Identified identified = Descriptors.identify(channel, target.realPath(), olderDescriptor);
			FileFacts opened = (identified != null) ? identified.facts() : LockFiles.lstat(target.path());
			if (opened == null) {
				return Attempt.RETRY;
			}
			if (HeldLocks.leaseOf(opened.fileKey()) != null) {
				// swapped in between the check and the open
				HeldLocks.park(opened.fileKey(), channel);
				keep = true;
				return Attempt.held(opened);
			}
			LockFiles.requireSafe(target.path(), opened);
			FileLock[] regions;
			try {
				regions = lockRegions(channel, blocking);
			}
			catch (OverlappingFileLockException ex) {
				// another channel of this JVM holds a lock on this very file: closing
				// this descriptor would drop it
				HeldLocks.park(opened.fileKey(), channel);
				keep = true;
				return Attempt.held(opened);
			}
			if (regions == null) {
				return Attempt.held(opened);
			}
			int descriptor = (identified != null) ? identified.descriptor() : -1;
			try {
				Attempt confirmed = confirm(target, serialized,
						new LockedFile(channel, regions[0], regions[1], opened, descriptor));
				keep = confirmed.outcome() == Outcome.ACQUIRED;
				return confirmed;
			}
			catch (IOException | RuntimeException ex) {
				// a full disk, say: remove the file this attempt created, while still
				// holding its lock and only if the path still names it, so that no empty
				// leftover confuses people or looks like a replacement to a holder
				if (created && identified != null && LockFiles.pathNames(target.path(), opened)) {
					LockFiles.deleteIfExists(target.path());
				}
				throw ex;
			}
		}
		finally {
			if (!keep) {
				closeQuietly(channel);
			}
		}
	}

	/**
	 * Prove, with the lock held, that the path still names the locked file, and write
	 * this process's PID into it.
	 */
	private static Attempt confirm(LockTarget target, boolean serialized, LockedFile locked) throws IOException {
		FileFacts opened = locked.facts();
		if (!LockFiles.pathNames(target.path(), opened)) {
			// a holder unlinked (or a takeover replaced) the file between our open
			// and lock
			return Attempt.RETRY;
		}
		if (serialized) {
			// the check and the PID write happen under the takeover lock: a
			// contender that judged the previous content stale sees it change
			// before it may rename its own file over the path; the token issued
			// there is larger than any that an earlier holder got
			return TakeoverLock.fenced(target, (token) -> confirmed(target, locked).withFencingToken(token),
					Attempt.RETRY);
		}
		if (Takeover.possible(target)) {
			// the previous holder heartbeated: a contender may be judging it stale
			return TakeoverLock.serialized(target, () -> confirmed(target, locked), Attempt.RETRY);
		}
		writePid(locked.channel());
		return Attempt.acquired(locked, opened);
	}

	private static Attempt confirmed(LockTarget target, LockedFile locked) throws IOException {
		if (!LockFiles.pathNames(target.path(), locked.facts())) {
			return Attempt.RETRY;
		}
		writePid(locked.channel());
		return Attempt.acquired(locked, locked.facts());
	}

	/**
	 * Lock the whole file as two regions, the tail first, then the head. A holder that
	 * doubts the kernel still has its lock re-takes one region while the other keeps
	 * everybody out, so a repair never opens a gap. Contenders take the tail first and
	 * only try the head: one that holds the tail while the holder re-takes the tail fails
	 * on the head and lets go at once.
	 * @param channel an open channel on the lock file
	 * @param blocking whether to wait in the kernel for the tail
	 * @return the head and tail locks, or {@code null} if another process holds a part
	 * @throws IOException on I/O failure
	 */
	static FileLock @Nullable [] lockRegions(FileChannel channel, boolean blocking) throws IOException {
		FileLock tail = blocking ? channel.lock(LockedFile.TAIL_POSITION, LockedFile.TAIL_SIZE, false)
				: channel.tryLock(LockedFile.TAIL_POSITION, LockedFile.TAIL_SIZE, false);
		if (tail == null) {
			return null;
		}
		FileLock head;
		try {
			head = channel.tryLock(0, LockedFile.HEAD_SIZE, false);
		}
		catch (IOException | RuntimeException ex) {
			tail.release();
			throw ex;
		}
		if (head == null) {
			tail.release();
			return null;
		}
		return new FileLock[] { head, tail };
	}

	/**
	 * Open a lock file for locking, without following a symbolic link at its path.
	 * @param path the path
	 * @param createNew whether the file must not exist yet
	 * @return the channel
	 * @throws IOException on failure
	 * @throws io.forwardlock.lock.LockException with {@code UNSAFE_LOCK_FILE} for a
	 * symbolic link
	 */
	static FileChannel open(Path path, boolean createNew) throws IOException {
		try {
			return LockFiles.openForLocking(path, createNew);
		}
		catch (IOException ex) {
			if (LockFiles.isRefusedLink(ex)) {
				throw LockErrors.unsafeLockFile(path, "is a symbolic link");
			}
			throw ex;
		}
	}

	/**
	 * Write this process's PID at the start of a file, in one write, and cut off what an
	 * earlier, longer content left behind.
	 * @param channel the channel that holds the lock
	 * @return {@code true}
	 * @throws IOException on failure
	 */
	static boolean writePid(FileChannel channel) throws IOException {
		replaceContent(channel, HolderFiles.pidContent(ProcessHandle.current().pid()));
		return true;
	}

	/**
	 * Make bytes the whole content of a file: write them at its start in one write, and
	 * cut off what an earlier, longer content left behind.
	 * @param channel the channel that holds the lock
	 * @param content the bytes
	 * @throws IOException on failure
	 */
	static void replaceContent(FileChannel channel, byte[] content) throws IOException {
		writeAt(channel, content);
		if (channel.size() > content.length) {
			channel.truncate(content.length);
		}
	}

	/**
	 * Write bytes at the start of a file without moving the channel's position.
	 * @param channel the channel
	 * @param content the bytes
	 * @throws IOException on failure
	 */
	static void writeAt(FileChannel channel, byte[] content) throws IOException {
		ByteBuffer buffer = ByteBuffer.wrap(content);
		long position = 0;
		while (buffer.hasRemaining()) {
			position += channel.write(buffer, position);
		}
	}

	static void closeQuietly(FileChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ex) {
			// nothing left to release
		}
	}

}
