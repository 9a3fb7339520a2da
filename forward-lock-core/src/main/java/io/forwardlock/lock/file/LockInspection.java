package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.file.LockFiles.FileFacts;

/**
 * Who holds a lock, as {@link FileLockBackend#inspect} tells it, without ever taking the
 * lock or closing a descriptor of a file this JVM holds.
 */
final class LockInspection {

	private LockInspection() {
	}

	/**
	 * Inspect the lock at a target.
	 * @param target where the lock lives
	 * @return the holder, or empty when nobody holds the lock
	 */
	static Optional<HolderRecord> inspect(LockTarget target) {
		HeldLocks.InJvmState inJvm = HeldLocks.beginInspection(target.key());
		if (inJvm != null) {
			FileLockLease lease = inJvm.lease();
			if (lease != null) {
				return Optional.of(lease.holder());
			}
			return Optional.of(HolderFiles.read(target.holderFile()).orElse(HolderRecord.unknown()));
		}
		try {
			FileFacts facts = LockFiles.lstat(target.path());
			if (facts == null) {
				return Optional.empty();
			}
			FileLockLease heldHere = HeldLocks.leaseOf(facts.fileKey());
			if (heldHere != null) {
				// held by this JVM under another name: never open it
				return Optional.of(heldHere.holder());
			}
			if (ForeignLockFiles.isForeign(facts)) {
				return ForeignLockFiles.inspect(target, facts);
			}
			LockFiles.requireSafe(target.path(), facts);
			return probe(target, facts);
		}
		catch (NoSuchFileException ex) {
			return Optional.empty();
		}
		catch (IOException ex) {
			throw FileLockBackend.translate(ex, target, "inspect the lock");
		}
		finally {
			HeldLocks.endInspection(target.key());
		}
	}

	private static Optional<HolderRecord> probe(LockTarget target, FileFacts facts) throws IOException {
		FileChannel channel = LockFiles.openExisting(target.path());
		boolean park = false;
		try {
			FileLock probe;
			try {
				probe = channel.tryLock(0, Long.MAX_VALUE, true);
			}
			catch (OverlappingFileLockException ex) {
				// this JVM holds the file, swapped in since the check: closing this
				// descriptor would drop that lock
				park = true;
				HeldLocks.park(facts.fileKey(), channel);
				FileLockLease holder = HeldLocks.leaseOf(facts.fileKey());
				return Optional.of((holder != null) ? holder.holder() : HolderRecord.unknown());
			}
			if (probe != null) {
				// a leftover of a process that is gone: nobody holds the lock
				probe.release();
				return Optional.empty();
			}
			return Optional.of(HolderFiles.merge(HolderFiles.parsePid(HolderFiles.readStart(channel)),
					HolderFiles.read(target.holderFile())));
		}
		finally {
			if (!park) {
				LockAttempts.closeQuietly(channel);
			}
		}
	}

}
