package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockSetting;
import io.forwardlock.lock.file.LockFiles.FileFacts;
import org.jspecify.annotations.Nullable;

/**
 * Lock files of another user in a shared directory (such as {@code /tmp}, mode 1777),
 * where two users run the same application.
 * <ul>
 * <li>While the other user's instance holds the lock, the kernel's lock table names it:
 * the refusal is an ordinary {@code INSTANCE_RUNNING} with its PID, although this user
 * cannot open the file.</li>
 * <li>A file that no process locks is a leftover of a stopped instance of that user. An
 * ordinary user cannot remove or replace it (the sticky bit forbids it), so the refusal
 * says whose it is and how to remove it.</li>
 * <li>Root replaces such a leftover safely: it locks the leftover first, so that nobody
 * holds it meanwhile, then renames its own, already locked file over the path, as a
 * takeover does. Anyone who then locks the leftover finds that the path names another
 * file and starts over.</li>
 * </ul>
 * Root never takes a file of another user that a process locks.
 */
final class ForeignLockFiles {

	private static final Path PROC_LOCKS = Path.of("/proc/locks");

	/**
	 * Reads of the kernel's lock table that must all show no lock before a file counts as
	 * a leftover: the table is read in pieces and may miss a line.
	 */
	private static final int TABLE_READS = 3;

	private ForeignLockFiles() {
	}

	/**
	 * Whether the file is a regular, singly linked file of another user, and nothing else
	 * is wrong with it.
	 * @param facts the file's attributes, not following links
	 * @return whether it is another user's lock file
	 */
	static boolean isForeign(FileFacts facts) {
		int self = ProcessOwner.uid();
		return facts.regular() && !facts.symbolicLink() && facts.links() == 1 && facts.uid() >= 0 && self >= 0
				&& facts.uid() != self;
	}

	/**
	 * Try to acquire a lock whose file belongs to another user.
	 * @param target where the lock lives
	 * @param existing the file found
	 * @param fenced whether root replaces a leftover under the takeover lock, with a
	 * fencing token (the heartbeat is on)
	 * @return held when a process locks it, acquired when root replaced a leftover, or a
	 * retry when it changed meanwhile
	 * @throws IOException on failure
	 * @throws LockException with {@code UNSAFE_LOCK_FILE} for a leftover this user cannot
	 * replace
	 */
	static Attempt attempt(LockTarget target, FileFacts existing, boolean fenced) throws IOException {
		if (ProcessOwner.uid() == 0) {
			return replaceAsRoot(target, existing, fenced);
		}
		if (kernelHolder(existing.inode()).isPresent()) {
			return Attempt.held(existing);
		}
		throw leftover(target.path(), existing);
	}

	/**
	 * Who holds a lock whose file belongs to another user.
	 * @param target where the lock lives
	 * @param facts the file's attributes
	 * @return the holder, or empty when no process locks the file
	 * @throws IOException on failure
	 */
	static Optional<HolderRecord> inspect(LockTarget target, FileFacts facts) throws IOException {
		if (ProcessOwner.uid() == 0) {
			try (FileChannel channel = HolderFiles.openWithoutBlocking(target.path())) {
				FileLock probe = tryLock(channel, true);
				if (probe != null) {
					probe.release();
					return Optional.empty();
				}
				return Optional.of(HolderFiles.merge(HolderFiles.parsePid(HolderFiles.readStart(channel)),
						HolderFiles.read(target.holderFile())));
			}
		}
		return kernelHolder(facts.inode());
	}

	private static Attempt replaceAsRoot(LockTarget target, FileFacts existing, boolean fenced) throws IOException {
		try (FileChannel leftover = HolderFiles.openWithoutBlocking(target.path())) {
			Descriptors.Identified identified = Descriptors.identify(leftover, target.realPath(), -1);
			FileFacts opened = (identified != null) ? identified.facts() : LockFiles.lstat(target.path());
			if (opened == null || !opened.sameFileAs(existing)) {
				return Attempt.RETRY;
			}
			FileLock lock = tryLock(leftover, false);
			if (lock == null) {
				return Attempt.held(opened);
			}
			if (!LockFiles.pathNames(target.path(), opened)) {
				return Attempt.RETRY;
			}
			// nobody can lock the leftover while we hold it: replace it by our own file
			if (!fenced) {
				return Takeover.replace(target, opened);
			}
			// as every acquisition with the heartbeat on: under the takeover lock, with a
			// token larger than the last holder's
			return TakeoverLock.fenced(target,
					(token) -> LockFiles.pathNames(target.path(), opened)
							? Takeover.replace(target, opened).withFencingToken(token) : Attempt.RETRY,
					Attempt.held(opened));
		}
	}

	private static @Nullable FileLock tryLock(FileChannel channel, boolean shared) throws IOException {
		try {
			return channel.tryLock(0, Long.MAX_VALUE, shared);
		}
		catch (OverlappingFileLockException ex) {
			return null;
		}
	}

	/**
	 * Ask the kernel's lock table who holds a POSIX lock on the inode.
	 * @param inode the inode number
	 * @return the holder, by its PID or {@link HolderRecord#unknown() unknown} when the
	 * table shows a lock without a PID, or empty when no read of the table shows a lock
	 * (also when there is no table to read: then nobody can tell)
	 */
	static Optional<HolderRecord> kernelHolder(long inode) {
		for (int i = 0; i < TABLE_READS; i++) {
			String table;
			try {
				table = new String(Files.readAllBytes(PROC_LOCKS), StandardCharsets.US_ASCII);
			}
			catch (IOException ex) {
				return Optional.empty();
			}
			Optional<HolderRecord> holder = holderIn(table, inode);
			if (holder.isPresent()) {
				return holder;
			}
		}
		return Optional.empty();
	}

	/**
	 * Find the holder of a POSIX lock on the inode in a {@code /proc/locks} table.
	 * @param table the table's text
	 * @param inode the inode number
	 * @return the holder, by its PID or {@link HolderRecord#unknown() unknown} for a lock
	 * without a visible owner, or empty when the table shows no lock on the inode
	 */
	static Optional<HolderRecord> holderIn(String table, long inode) {
		for (String line : table.split("\n")) {
			KernelLockLine lock = KernelLockLine.parse(line);
			if (lock == null || lock.waiter() || !lock.names(inode)) {
				continue;
			}
			if (!lock.ownerKnown()) {
				return Optional.of(HolderRecord.unknown());
			}
			try {
				return Optional.of(HolderRecord.ofPid(Long.parseLong(lock.pid())));
			}
			catch (NumberFormatException ex) {
				return Optional.of(HolderRecord.unknown());
			}
		}
		return Optional.empty();
	}

	private static LockException leftover(Path path, FileFacts facts) {
		String owner;
		try {
			owner = Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName() + " (uid " + facts.uid() + ")";
		}
		catch (IOException ex) {
			owner = "uid " + facts.uid();
		}
		return LockException
			.builder(LockErrorType.UNSAFE_LOCK_FILE, "Refusing to use the lock file because it belongs to user " + owner
					+ ", and no process holds a lock on it: it is a leftover of a stopped instance of that user, "
					+ "which this user may not replace; it was left untouched")
			.location(path.toString())
			.help("Make sure no instance of that user runs: ps -u " + facts.uid() + " -o pid,lstart,args")
			.help("Then remove the leftover as that user or as root: sudo rm " + path)
			.help("Or start the application as root once: root replaces another user's leftover safely")
			.remedy("Or give each user its own lock directory", LockSetting.DIRECTORY, "$HOME/.forward-lock")
			.build();
	}

}
