package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import io.forwardlock.lock.file.LockFiles.FileFacts;

/**
 * The takeover lock: the OS lock on {@code NAME.lock.takeover} under which every change
 * of which file the lock path names happens when the heartbeat is on (takeovers, the
 * acquirer's final check, the holder's unlink on release), and which issues fencing
 * tokens (see {@link TakeoverFile}). The takeover file gets the lock file's checks: it is
 * opened without following links and without blocking, must be a regular, singly linked
 * file of this user, and after locking it the path must still name the locked file, so
 * that deleting it (a tmp cleaner, a person) cannot let two contenders in; each use
 * rewrites it, so that age-based cleaners leave it alone.
 * <p>
 * <b>Closing a descriptor drops the whole process's lock</b>, so threads of this JVM wait
 * for each other before they open a takeover file.
 */
final class TakeoverLock {

	/**
	 * Longest wait for the takeover lock; it is held only for a few file-system calls.
	 */
	static final long MUTEX_WAIT_MILLIS = 2000;

	private static final long MUTEX_POLL_NANOS = 2_000_000L;

	private static final ReentrantLock[] IN_JVM = new ReentrantLock[64];

	static {
		for (int i = 0; i < IN_JVM.length; i++) {
			IN_JVM[i] = new ReentrantLock();
		}
	}

	private TakeoverLock() {
	}

	/**
	 * Run an action while holding the OS lock on the takeover file. Every change of which
	 * file the lock path names, when the heartbeat is on, happens under it: takeovers,
	 * the acquirer's final check, and the holder's unlink on release.
	 * @param <T> the result type
	 * @param target where the lock lives
	 * @param action the action
	 * @param whenBusy the result when the takeover lock stays busy for
	 * {@link #MUTEX_WAIT_MILLIS}
	 * @return the action's result, or {@code whenBusy}
	 * @throws IOException on I/O failure
	 */
	static <T> T serialized(LockTarget target, IoAction<T> action, T whenBusy) throws IOException {
		return underLock(target, (takeover) -> {
			takeover.touch();
			return action.run();
		}, whenBusy);
	}

	/**
	 * Run an action under the takeover lock, as {@link #serialized}, with a fencing token
	 * issued for it first. The token is larger than every token issued before for this
	 * lock (see {@link TakeoverFile}); one issued for an action that does not acquire is
	 * simply never used.
	 * @param <T> the result type
	 * @param target where the lock lives
	 * @param action the action, given the token
	 * @param whenBusy the result when the takeover lock stays busy
	 * @return the action's result, or {@code whenBusy}
	 * @throws IOException on I/O failure
	 */
	static <T> T fenced(LockTarget target, FencedAction<T> action, T whenBusy) throws IOException {
		return underLock(target, (takeover) -> action.run(takeover.issueToken()), whenBusy);
	}

	private static <T> T underLock(LockTarget target, LockedAction<T> action, T whenBusy) throws IOException {
		Path file = target.takeoverFile();
		long deadline = System.nanoTime() + MUTEX_WAIT_MILLIS * 1_000_000L;
		// one thread of this JVM at a time has a takeover file of this directory open:
		// closing a descriptor of the file drops this process's lock on it, which
		// another thread may hold (two names of one lock, or a release that gave up
		// while a verification holds it)
		ReentrantLock inJvm = inJvmLock(file);
		if (!lockUntil(inJvm, deadline)) {
			return whenBusy;
		}
		try {
			while (System.nanoTime() < deadline) {
				FileFacts existing = LockFiles.lstat(file);
				if (existing != null) {
					LockFiles.requireSafe(file, existing);
				}
				try (FileChannel mutex = LockAttempts.open(file, false)) {
					Descriptors.Identified identified = Descriptors.identify(mutex,
							target.realPath().resolveSibling(file.getFileName()), -1);
					FileFacts opened = (identified != null) ? identified.facts() : LockFiles.lstat(file);
					if (opened == null) {
						continue;
					}
					LockFiles.requireSafe(file, opened);
					FileLock lock = tryLock(mutex);
					while (lock == null && System.nanoTime() < deadline) {
						// held only for a few file-system calls: a short poll is enough
						LockSupport.parkNanos(MUTEX_POLL_NANOS);
						lock = tryLock(mutex);
					}
					if (lock == null) {
						return whenBusy;
					}
					if (!LockFiles.pathNames(file, opened)) {
						// deleted or replaced while we waited: whoever created the new
						// file may hold its lock, so ours excludes nobody
						continue;
					}
					return action.run(TakeoverFile.read(mutex));
				}
			}
			return whenBusy;
		}
		finally {
			inJvm.unlock();
		}
	}

	/**
	 * The lock of this JVM that its threads take before they open a takeover file: one of
	 * a fixed set, chosen by the identity of the file's directory, which a bind mount or
	 * another spelling of the path keeps (a takeover file with a second hard link is
	 * refused). Locks of one directory share a file system, so serializing them here
	 * costs nothing that a slow file system would not cost anyway.
	 */
	private static ReentrantLock inJvmLock(Path takeoverFile) {
		Path directory = takeoverFile.toAbsolutePath().getParent();
		Object key;
		try {
			FileFacts facts = FileFacts.read(directory);
			key = (facts.fileKey() != null) ? facts.fileKey() : directory;
		}
		catch (IOException ex) {
			key = directory;
		}
		return IN_JVM[Math.floorMod(key.hashCode(), IN_JVM.length)];
	}

	private static boolean lockUntil(ReentrantLock lock, long deadline) {
		boolean interrupted = false;
		try {
			while (true) {
				try {
					return lock.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
				}
				catch (InterruptedException ex) {
					// bounded by the deadline anyway: wait on, and tell the caller later
					interrupted = true;
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private static FileLock tryLock(FileChannel channel) throws IOException {
		try {
			return channel.tryLock();
		}
		catch (OverlappingFileLockException ex) {
			return null;
		}
	}

	/**
	 * File-system action run under the takeover lock.
	 *
	 * @param <T> the result type
	 */
	@FunctionalInterface
	interface IoAction<T> {

		T run() throws IOException;

	}

	/**
	 * File-system action run under the takeover lock with a fencing token issued for it.
	 *
	 * @param <T> the result type
	 */
	@FunctionalInterface
	interface FencedAction<T> {

		T run(long token) throws IOException;

	}

	private interface LockedAction<T> {

		T run(TakeoverFile takeover) throws IOException;

	}

}
