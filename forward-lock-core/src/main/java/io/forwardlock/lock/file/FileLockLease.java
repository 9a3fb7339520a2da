package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import io.forwardlock.lock.file.FileLockBackend.Attempt;
import io.forwardlock.lock.file.FileLockBackend.Locked;
import io.forwardlock.lock.file.FileLockBackend.Outcome;
import io.forwardlock.lock.file.FileLockBackend.Target;
import io.forwardlock.lock.file.LockFiles.FileFacts;

/**
 * Lease of a {@link FileLockBackend}: a channel that holds the OS lock on the lock file.
 * Every read and write of the held file goes through that channel; nothing here opens the
 * lock file a second time.
 */
final class FileLockLease implements LockLease {

	private final FileLockBackend backend;

	private final Target target;

	private final LockRequest request;

	private final HolderRecord holder;

	private final byte[] holderContent;

	private static final long RELOCK_PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(2);

	private static final long RELOCK_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private final AtomicBoolean released = new AtomicBoolean();

	/**
	 * Longest wait of a release for a verification or heartbeat in progress; after it,
	 * the lock is let go without cleaning up.
	 */
	static final long RELEASE_WAIT_MILLIS = 2000;

	private final ReentrantLock monitor = new ReentrantLock();

	// written under the monitor; read without it by ensureHeld()
	private volatile Locked locked;

	private volatile Runnable suspicionListener;

	/**
	 * Why the lock was found lost, once it was: from then on the lease never claims the
	 * path again (a successor may already run), whatever the path shows later.
	 */
	private volatile String lostDetail;

	// guarded by monitor
	private LockDirectoryWatcher.Registration watch = LockDirectoryWatcher.Registration.NONE;

	private LongSupplier clock = System::nanoTime;

	private long lastBeatNanos = System.nanoTime();

	FileLockLease(FileLockBackend backend, Target target, LockRequest request, HolderRecord holder, Locked locked) {
		this.backend = backend;
		this.target = target;
		this.request = request;
		this.holder = holder;
		this.holderContent = HolderFiles.format(holder, request);
		this.locked = locked;
	}

	@Override
	public String lockName() {
		return this.request.name();
	}

	@Override
	public String backendId() {
		return FileLockBackend.ID;
	}

	@Override
	public String location() {
		return this.target.location();
	}

	@Override
	public HolderRecord holder() {
		return this.holder;
	}

	@Override
	public OptionalLong fencingToken() {
		return OptionalLong.empty();
	}

	@Override
	public boolean isReleased() {
		return this.released.get();
	}

	/**
	 * Watch the lock file and its directory (inotify on Linux), and call the listener as
	 * soon as either is deleted, renamed or replaced.
	 */
	@Override
	public void onSuspectedLoss(Runnable listener) {
		this.monitor.lock();
		try {
			this.suspicionListener = listener;
			this.watch.cancel();
			this.watch = LockDirectoryWatcher.Registration.NONE;
			if (listener != null && !this.released.get()) {
				this.watch = watchLockFile();
			}
		}
		finally {
			this.monitor.unlock();
		}
	}

	private LockDirectoryWatcher.Registration watchLockFile() {
		return LockDirectoryWatcher.watch(this.target.path().getParent(), this.target.path().getFileName().toString(),
				this::suspect);
	}

	private void suspect() {
		Runnable listener = this.suspicionListener;
		if (listener != null && !this.released.get()) {
			listener.run();
		}
	}

	/**
	 * Check the OS lock, the channel, and that the path still names the locked file with
	 * this process's PID in it.
	 * <p>
	 * The channel that holds the lock is never closed here. Kernel evidence that cannot
	 * be trusted counts as "still held"; only consistent evidence that the lock is gone
	 * leads to a repair, and the repair re-takes one region of the lock while the other
	 * keeps everybody out, so it never opens a gap. A vanished file is re-created and
	 * re-locked when nobody else holds the lock ({@code HEALED}); a replaced file, or
	 * another process's PID in the file without the kernel confirming that this process
	 * holds the lock, means the lock is {@code LOST}.
	 */
	@Override
	public Verification verify() {
		this.monitor.lock();
		try {
			if (this.released.get()) {
				return Verification.lost("the lease was released", null);
			}
			if (this.lostDetail != null) {
				return Verification.lost(this.lostDetail, null);
			}
			boolean interrupted = Thread.interrupted();
			try {
				return rememberLoss(doVerify());
			}
			catch (IOException ex) {
				throw FileLockBackend.translate(ex, this.target, "verify the lock");
			}
			finally {
				if (interrupted) {
					Thread.currentThread().interrupt();
				}
			}
		}
		finally {
			this.monitor.unlock();
		}
	}

	private Verification rememberLoss(Verification verification) {
		if (!verification.isHeld()) {
			this.lostDetail = "the lock was lost earlier: " + verification.detail();
		}
		return verification;
	}

	/**
	 * Check, with one {@code lstat}, that the lock path still names the locked file.
	 * Where the directory is not watched (systems other than Linux, the inotify watch
	 * limit reached), this is how guarded work learns of a deleted or replaced lock file
	 * before the next verification, which it triggers; the verification then decides
	 * (re-created, or lost). Until then, guarded work is refused.
	 */
	@Override
	public void ensureHeld() {
		LockLease.super.ensureHeld();
		String detail = this.lostDetail;
		if (detail != null) {
			throw LockErrors.lockLost(this.target.location(), detail, null);
		}
		boolean named;
		try {
			named = LockFiles.pathNames(this.target.path(), this.locked.facts());
		}
		catch (IOException ex) {
			named = false;
		}
		if (!named) {
			suspect();
			throw LockErrors.lockLost(this.target.location(),
					"the lock file was deleted or replaced; a verification decides whether the lock is still held",
					null);
		}
	}

	private Verification doVerify() throws IOException {
		Locked current = this.locked;
		if (!current.channel().isOpen()) {
			// the descriptor is gone, and the kernel lock went with it
			FileFacts atPath = LockFiles.lstat(this.target.path());
			if (atPath != null && !current.facts().sameFileAs(atPath)) {
				return Verification.lost("the channel holding the lock was closed and the lock file was replaced",
						otherHolder().orElse(HolderRecord.unknown()));
			}
			return reopen(current,
					"the channel holding the lock was closed (an interrupt during its I/O?); "
							+ "locked the lock file again",
					"the channel holding the lock was closed and another process locked the file since");
		}
		OsLocks.Evidence evidence = current.valid() ? current.evidence() : OsLocks.Evidence.NOT_HELD;
		String repaired = null;
		if (evidence == OsLocks.Evidence.NOT_HELD) {
			FileFacts atPath = LockFiles.lstat(this.target.path());
			if (atPath != null && !isMine(current, atPath)) {
				return Verification.lost("the OS lock was dropped and the lock file was replaced",
						otherHolder().orElse(HolderRecord.unknown()));
			}
			Locked relocked = relockWithoutGap(current);
			if (relocked == null) {
				return Verification.lost("the OS lock was dropped and another process locked the file since",
						otherHolder().orElse(HolderRecord.unknown()));
			}
			this.locked = relocked;
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

	private static boolean isMine(Locked current, FileFacts atPath) {
		// an open descriptor's device and inode never change, so the identity recorded
		// when it was locked is still the identity of the file behind the channel
		FileFacts mine = current.facts();
		return (mine.fileKey() != null) ? mine.sameFileAs(atPath) : (atPath != null && !atPath.symbolicLink());
	}

	private Verification checkContent(Locked current, boolean confirmed, String repaired) throws IOException {
		byte[] content = HolderFiles.readStart(current.channel());
		byte[] expected = HolderFiles.pidContent(this.holder.pid());
		if (!Arrays.equals(content, expected)) {
			String found = describeContent(content);
			if (!confirmed) {
				// another PID is evidence of a second holder, unless the kernel says that
				// this process holds the lock right now
				return Verification.lost("the lock file names " + found
						+ " instead of this process, and the kernel does not confirm that this process holds the lock",
						otherHolder().orElse(HolderRecord.unknown()));
			}
			FileLockBackend.writePid(current.channel());
			return Verification.healed("the lock file's content was changed (it named " + found
					+ "); the kernel confirms that this process holds the lock; rewrote the PID");
		}
		Optional<byte[]> raw = HolderFiles.readBytes(this.target.holderFile());
		if (raw.isPresent() && Arrays.equals(raw.get(), this.holderContent)) {
			// what this lease wrote, byte for byte: no need to parse it
			return (repaired != null) ? Verification.healed(repaired) : Verification.held();
		}
		Optional<HolderRecord> recorded = raw.flatMap(HolderFiles::parse);
		if (recorded.isEmpty() || !recorded.get().equals(this.holder)) {
			LockFiles.writeAtomically(this.target.holderFile(), this.holderContent);
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
	private Locked relockWithoutGap(Locked current) throws IOException {
		FileChannel channel = current.channel();
		if (current.head().isValid()) {
			current.head().release();
		}
		FileLock head = lockPatiently(channel, 0, FileLockBackend.HEAD_SIZE);
		if (head == null) {
			return null;
		}
		if (current.tail().isValid()) {
			current.tail().release();
		}
		FileLock tail = lockPatiently(channel, FileLockBackend.TAIL_POSITION, FileLockBackend.TAIL_SIZE);
		if (tail == null) {
			// keep what is held so that release() lets go of it
			this.locked = new Locked(channel, head, current.tail(), current.facts(), current.descriptor());
			return null;
		}
		return new Locked(channel, head, tail, current.facts(), current.descriptor());
	}

	/**
	 * Try a region for a short while: a contender may hold it for an instant before it
	 * finds the other region taken and lets go.
	 */
	private static FileLock lockPatiently(FileChannel channel, long position, long size) throws IOException {
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
	private Verification reopen(Locked current, String detail, String lostDetail) throws IOException {
		if (current.descriptor() < 0) {
			// nothing tells its descriptor from the new one: let go of the orphan first
			FileLockBackend.closeQuietly(current.channel());
		}
		// the old file is an orphan, or its lock is gone with the closed channel
		HeldLocks.forgetFile(current.facts().fileKey(), this);
		// a tmp cleaner may have removed the whole directory
		PlatformDefaults.createDirectory(this.target.path().getParent(), this.request.directoryMode());
		for (int i = 0; i < FileLockBackend.MAX_ATTEMPTS; i++) {
			Attempt attempt = this.backend.attempt(this.target, false, this.request.heartbeatEnabled(),
					current.channel().isOpen() ? current.descriptor() : -1);
			if (attempt.outcome() == Outcome.ACQUIRED) {
				if (this.released.get()) {
					// released while this verification was stuck: keep nothing
					FileLockBackend.closeQuietly(attempt.locked().channel());
					return Verification.lost("the lease was released", null);
				}
				this.locked = attempt.locked();
				HeldLocks.holdFile(this.locked.facts().fileKey(), this);
				if (this.suspicionListener != null) {
					// a re-created directory is a new one: watch it again
					this.watch.cancel();
					this.watch = watchLockFile();
				}
				FileLockBackend.closeQuietly(current.channel());
				LockFiles.writeAtomically(this.target.holderFile(), this.holderContent);
				return Verification.healed(detail);
			}
			if (attempt.outcome() == Outcome.HELD) {
				return Verification.lost(lostDetail, otherHolder().orElse(HolderRecord.unknown()));
			}
		}
		return Verification.lost("the lock file kept changing while re-creating it", null);
	}

	private Optional<HolderRecord> otherHolder() {
		return HolderFiles.read(this.target.holderFile()).filter((r) -> !r.equals(this.holder));
	}

	/**
	 * Rewrite the PID through the held channel, which refreshes the lock file's
	 * modification time without opening it again. Before writing, prove that the path
	 * still names the held file: a holder that was paused while a contender took over
	 * must learn of the loss at its first heartbeat, not write to an orphan. After a gap
	 * of more than two heartbeat intervals on the monotonic clock (a stopped process, a
	 * long collection, a suspended machine), a full verification runs first.
	 * @throws io.forwardlock.lock.LockException with {@code LOCK_LOST} when the lock is
	 * lost, or {@code BACKEND_UNAVAILABLE} when the heartbeat could not be written
	 */
	@Override
	public void heartbeat() {
		this.monitor.lock();
		try {
			if (this.released.get()) {
				throw LockErrors.lockLost(this.target.location(), "the lease was released", null);
			}
			if (this.lostDetail != null) {
				throw LockErrors.lockLost(this.target.location(), this.lostDetail, null);
			}
			boolean interrupted = Thread.interrupted();
			try {
				long now = this.clock.getAsLong();
				boolean paused = now - this.lastBeatNanos > this.request.heartbeatInterval().multipliedBy(2).toNanos();
				Locked current = this.locked;
				if (paused || !current.valid() || !LockFiles.pathNames(this.target.path(), current.facts())) {
					Verification verification = rememberLoss(doVerify());
					if (!verification.isHeld()) {
						throw LockErrors.lockLost(this.target.location(), verification.detail(),
								verification.currentHolder());
					}
				}
				FileChannel channel = this.locked.channel();
				ByteBuffer content = ByteBuffer.wrap(HolderFiles.pidContent(this.holder.pid()));
				long position = 0;
				while (content.hasRemaining()) {
					position += channel.write(content, position);
				}
				this.lastBeatNanos = this.clock.getAsLong();
			}
			catch (IOException ex) {
				throw LockErrors.backendUnavailable(this.target.location(), "write the heartbeat", ex);
			}
			finally {
				if (interrupted) {
					Thread.currentThread().interrupt();
				}
			}
		}
		finally {
			this.monitor.unlock();
		}
	}

	/**
	 * Replace the monotonic clock that tells a pause, for tests.
	 * @param clock the clock, in nanoseconds
	 */
	void setClock(LongSupplier clock) {
		this.monitor.lock();
		try {
			this.clock = clock;
			this.lastBeatNanos = clock.getAsLong();
		}
		finally {
			this.monitor.unlock();
		}
	}

	private boolean acquireMonitorForRelease() {
		boolean interrupted = Thread.interrupted();
		try {
			return this.monitor.tryLock(RELEASE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			interrupted = true;
			return this.monitor.tryLock();
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private void closeWithoutCleanUp() {
		this.watch.cancel();
		Locked current = this.locked;
		try {
			FileLockBackend.closeQuietly(current.channel());
		}
		finally {
			HeldLocks.forgetFile(current.facts().fileKey(), this);
			HeldLocks.unclaim(this.target.key());
		}
		throw LockErrors.releaseFailed(this.target.location(), new IOException(
				"a verification or heartbeat of the lock did not finish within " + RELEASE_WAIT_MILLIS + " ms"));
	}

	/**
	 * Clean up while still holding the lock (only if the path still names the held file),
	 * then release the lock, then close the channel. Idempotent and callable from any
	 * thread.
	 */
	@Override
	public void release() {
		if (!this.released.compareAndSet(false, true)) {
			return;
		}
		if (!acquireMonitorForRelease()) {
			// a verification or heartbeat is stuck (a hung file system): let go of the
			// lock anyway, without cleaning up; a leftover never blocks anybody
			closeWithoutCleanUp();
			return;
		}
		try {
			// our own unlink is no news
			this.watch.cancel();
			try {
				unlinkAndClose(this.target, this.locked, this.request.heartbeatEnabled());
			}
			catch (IOException ex) {
				throw LockErrors.releaseFailed(this.target.location(), ex);
			}
			finally {
				HeldLocks.forgetFile(this.locked.facts().fileKey(), this);
				HeldLocks.unclaim(this.target.key());
			}
		}
		finally {
			this.monitor.unlock();
		}
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
	 * @throws IOException on failure; the lock is released and the channel closed anyway
	 */
	static void unlinkAndClose(Target target, Locked locked, boolean serialized) throws IOException {
		IOException failure = null;
		try {
			// never touch a file whose OS lock this process no longer holds: someone
			// else may
			if (locked.valid() && locked.evidence() != OsLocks.Evidence.NOT_HELD) {
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
			// descriptors opened under another name: closing them now drops only the
			// kernel lock that is being released anyway, while the Java lock still keeps
			// every other channel of this JVM off the file
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
		}
		if (failure != null) {
			throw failure;
		}
	}

	private static boolean cleanUpIfStillNamed(Target target, Locked locked) throws IOException {
		if (!stillNamed(target, locked)) {
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

	private static boolean stillNamed(Target target, Locked locked) throws IOException {
		// the identity recorded at locking time is the held channel's: it cannot change
		return LockFiles.pathNames(target.path(), locked.facts());
	}

	@Override
	public String toString() {
		return "FileLockLease[" + this.target.location() + ", " + this.holder.describe()
				+ (this.released.get() ? ", released" : "") + "]";
	}

}
