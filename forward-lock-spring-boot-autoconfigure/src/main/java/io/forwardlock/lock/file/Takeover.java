package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

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
 * it that the path still names the stale file, so that two of them never both replace
 * it.
 */
final class Takeover {

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
		FileFacts existing = LockFiles.lstat(target.takeoverFile());
		if (existing != null) {
			LockFiles.requireSafe(target.takeoverFile(), existing);
		}
		try (FileChannel mutex = FileLockBackend.open(target.takeoverFile(), false)) {
			FileLock serialized;
			try {
				serialized = mutex.tryLock();
			}
			catch (OverlappingFileLockException ex) {
				serialized = null;
			}
			if (serialized == null) {
				return held;
			}
			FileFacts now = LockFiles.lstat(target.path());
			if (now == null || !observed.sameFileAs(now)) {
				return Attempt.RETRY;
			}
			if (!isStale(now, request)) {
				return held;
			}
			return replace(target, now);
		}
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
			FileLock lock = channel.tryLock();
			if (lock == null) {
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
			return new Attempt(Outcome.ACQUIRED, new Locked(channel, lock, descriptorLink, facts), stale);
		}
		finally {
			if (!keep) {
				FileLockBackend.closeQuietly(channel);
				Files.deleteIfExists(temp);
			}
		}
	}

}
