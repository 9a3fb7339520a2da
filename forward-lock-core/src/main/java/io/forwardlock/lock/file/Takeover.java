package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend.Attempt;
import io.forwardlock.lock.file.FileLockBackend.Locked;
import io.forwardlock.lock.file.FileLockBackend.Outcome;
import io.forwardlock.lock.file.FileLockBackend.Target;
import io.forwardlock.lock.file.LockFiles.FileFacts;

/**
 * Takeover from a hung holder, possible only with the heartbeat on: a holder whose lock
 * file was not touched for longer than the stale timeout is replaced by renaming a new,
 * already locked file over the path. The hung process keeps an OS lock on an orphaned
 * file and learns of the loss at its next verification.
 * <p>
 * Contenders serialize on an OS lock on {@code <name>.lock.takeover}, and re-check under
 * it that the path still names the stale file, so that two of them never both replace it.
 * With the heartbeat on, ordinary acquirers confirm their file, and holders unlink theirs
 * on release, under the same lock, so that neither can interleave with a replacement. The
 * takeover file is never deleted: deleting it would reopen the very race that unlinking
 * lock files has, and an empty file is harmless.
 */
final class Takeover {

	/**
	 * Longest wait for the takeover lock; it is held only for a few file-system calls.
	 */
	static final long MUTEX_WAIT_MILLIS = 2000;

	private static final long MUTEX_POLL_NANOS = 2_000_000L;

	private Takeover() {
	}

	/**
	 * Take over if the held lock file is stale.
	 * @param backend the backend
	 * @param target where the lock lives
	 * @param request the request, with the stale timeout
	 * @param observed the held file as found, {@code null} if unknown
	 * @return an acquired attempt, a held one when not stale or when somebody else is
	 * taking over, or a retry when the file changed meanwhile
	 * @throws IOException on I/O failure
	 */
	static Attempt tryTakeOver(FileLockBackend backend, Target target, LockRequest request, FileFacts observed)
			throws IOException {
		Attempt held = new Attempt(Outcome.HELD, null, observed);
		if (observed == null || !isStale(observed, request)) {
			return held;
		}
		return serialized(target, () -> {
			FileFacts now = LockFiles.lstat(target.path());
			if (now == null || !observed.sameFileAs(now)) {
				return Attempt.RETRY;
			}
			if (!isStale(now, request)) {
				return held;
			}
			return replace(target, now);
		}, held);
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
	static <T> T serialized(Target target, IoAction<T> action, T whenBusy) throws IOException {
		FileFacts existing = LockFiles.lstat(target.takeoverFile());
		if (existing != null) {
			LockFiles.requireSafe(target.takeoverFile(), existing);
		}
		try (FileChannel mutex = FileLockBackend.open(target.takeoverFile(), false)) {
			long deadline = System.nanoTime() + MUTEX_WAIT_MILLIS * 1_000_000L;
			FileLock lock = tryLock(mutex);
			while (lock == null && System.nanoTime() < deadline) {
				// held only for a few file-system calls: a short poll is enough
				LockSupport.parkNanos(MUTEX_POLL_NANOS);
				lock = tryLock(mutex);
			}
			if (lock == null) {
				return whenBusy;
			}
			return action.run();
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

	private static boolean isStale(FileFacts facts, LockRequest request) {
		return System.currentTimeMillis() - facts.lastModifiedMillis() > request.staleTimeout().toMillis();
	}

	private static Attempt replace(Target target, FileFacts stale) throws IOException {
		String tempName = target.path().getFileName() + "." + UUID.randomUUID() + ".tmp";
		Path temp = target.path().resolveSibling(tempName);
		FileChannel channel = FileLockBackend.open(temp, true);
		boolean keep = false;
		try {
			FileLock[] regions = FileLockBackend.lockRegions(channel, false);
			if (regions == null) {
				return Attempt.RETRY;
			}
			FileLockBackend.writePid(channel);
			Path descriptorLink = LockFiles.findDescriptorLink(target.realPath().resolveSibling(tempName));
			FileFacts facts = (descriptorLink != null) ? FileFacts.read(descriptorLink) : LockFiles.lstat(temp);
			Files.move(temp, target.path(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			if (!LockFiles.pathNames(target.path(), facts)) {
				return Attempt.RETRY;
			}
			keep = true;
			return new Attempt(Outcome.ACQUIRED,
					new Locked(channel, regions[0], regions[1], facts, LockFiles.descriptorNumber(descriptorLink)),
					stale);
		}
		finally {
			if (!keep) {
				FileLockBackend.closeQuietly(channel);
				Files.deleteIfExists(temp);
			}
		}
	}

}
