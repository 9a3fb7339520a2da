package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.LockFiles.FileFacts;

/**
 * {@link LockBackend} that holds an OS file lock ({@code fcntl} on Linux and macOS,
 * {@code LockFileEx} on Windows) on {@code DIR/NAME.lock} for the life of the holder.
 * <p>
 * <b>Why a crash never blocks the next start.</b> The kernel drops the lock when the
 * holding process dies, however it dies. A lock file left behind by a crash is harmless:
 * the next instance opens it, locks it and overwrites it. No PID is ever used to decide
 * who holds the lock; the PID in the file is for people ({@code cat},
 * {@code ps -p $(cat app.lock)}).
 * <p>
 * <b>What is in the directory.</b> While held: {@code NAME.lock} (mode 0600, the holder's
 * PID and a newline) and {@code NAME.lock.holder} (host, start time, application name and
 * instance id, replaced atomically). After a clean release neither exists (without
 * {@code /proc}, an empty {@code NAME.lock} stays). With the heartbeat on, an empty
 * {@code NAME.lock.takeover} file serializes takeovers and stays.
 * <p>
 * <b>Safety in shared directories such as /tmp.</b> The lock file is opened without
 * following symbolic links. A symbolic link, directory, FIFO, device, a file with more
 * than one hard link, or a file owned by another user is refused with
 * {@code UNSAFE_LOCK_FILE} and left untouched.
 * <p>
 * <b>Releasing by unlinking, safely.</b> The holder unlinks the file while it still holds
 * the lock. A waiter that had opened the old file then locks an orphan; so every acquirer
 * checks, after locking, that the path still names the file it locked, and otherwise
 * starts over. The holder never opens its own lock file a second time (closing any
 * descriptor would drop its lock): it reads and writes it only through the channel that
 * holds the lock, and on Linux identifies that channel's file through
 * {@code /proc/self/fd}. Without {@code /proc} that proof is impossible, so the file is
 * kept and emptied on release instead of unlinked: a file that is never unlinked is never
 * replaced under a waiter.
 * <p>
 * <b>Proving the lock, without a gap.</b> The lock is held as two adjacent regions, the
 * first byte and the rest. Kernel evidence that cannot be trusted (a busy
 * {@code /proc/locks}, a foreign PID namespace) counts as "still held"; when consistent
 * evidence says the lock is gone, the holder re-takes one region while the other keeps
 * everybody out, so a repair never lets anybody in. On Linux the holder also watches the
 * lock directory and verifies as soon as its file is deleted or replaced. See
 * {@code docs/file-backend.md}.
 * <p>
 * <b>Heartbeat.</b> When the request enables it, the lease's {@code heartbeat()} proves
 * that the path still names its file, then rewrites the PID through the held channel,
 * which refreshes the file's modification time. The holder record declares the heartbeat
 * with its interval and stale timeout. A contender takes over only from a holder that
 * declared one, and only after it has watched the lock stay unchanged, on its own
 * monotonic clock, for the holder's stale timeout plus interval ({@link Takeover}); it
 * then renames a new, locked file over the path. The old holder finds out at its next
 * heartbeat or verification.
 * <p>
 * <b>The directory.</b> A lock directory that others may write to without the sticky bit,
 * or that belongs to another user than this one or root, is refused with
 * {@code UNSAFE_LOCK_DIRECTORY}. Another user's lock file in a shared directory is
 * reported by its holder's PID when a process locks it, and as a leftover otherwise; root
 * replaces such a leftover safely ({@link ForeignLockFiles}).
 * <p>
 * <b>Caveats.</b> Use a local file system: NFS locking depends on the server. Do not
 * interrupt a thread while it verifies or heartbeats a lease: Java closes a file channel
 * whose I/O is interrupted, which drops the lock (verification then re-acquires it if it
 * can). Keep lock names in one case: on a case-insensitive file system two names that
 * differ only in case name one file, which this JVM's registry does not recognize as the
 * same lock.
 * <p>
 * To check a setup by hand: start the application, run {@code cat DIR/NAME.lock} and
 * {@code ps -p $(cat DIR/NAME.lock)}, then start a second instance and watch it refuse to
 * start.
 */
public class FileLockBackend implements LockBackend {

	/**
	 * Id of this backend.
	 */
	public static final String ID = "file";

	static final String LOCK_SUFFIX = ".lock";

	static final String HOLDER_SUFFIX = ".lock.holder";

	static final String TAKEOVER_SUFFIX = ".lock.takeover";

	/**
	 * Attempts in a row that may find the lock file replaced under them before the
	 * acquisition gives up with {@code RACE_CONDITION}.
	 */
	static final int MAX_ATTEMPTS = 10;

	/**
	 * Size of the head region of the lock, which starts at byte 0.
	 */
	static final long HEAD_SIZE = 1;

	/**
	 * Start of the tail region of the lock, right after the head.
	 */
	static final long TAIL_POSITION = HEAD_SIZE;

	/**
	 * Size of the tail region: to the largest offset Java can name.
	 */
	static final long TAIL_SIZE = Long.MAX_VALUE - TAIL_POSITION;

	private final Path directory;

	private volatile AttemptListener attemptListener = AttemptListener.NONE;

	/**
	 * What this backend, as a contender, saw of held locks and since when.
	 */
	final Takeover.Watch takeoverWatch = new Takeover.Watch();

	/**
	 * Create a backend that keeps its lock files in the given directory, creating it
	 * (mode 0700) on first acquisition if it is missing.
	 * @param directory the lock directory
	 */
	public FileLockBackend(Path directory) {
		this.directory = Objects.requireNonNull(directory, "'directory' must not be null").toAbsolutePath();
	}

	/**
	 * Create a backend in the platform's default directory for an application.
	 * @param applicationName the application name
	 * @return the backend
	 * @see PlatformDefaults
	 */
	public static FileLockBackend forPlatform(String applicationName) {
		return new FileLockBackend(PlatformDefaults.current().lockDirectory(applicationName));
	}

	@Override
	public String id() {
		return ID;
	}

	/**
	 * Directory of the lock files.
	 * @return the directory
	 */
	public Path getDirectory() {
		return this.directory;
	}

	/**
	 * Path of the lock file for a request: {@code DIR/NAME.lock}.
	 * @param request the request
	 * @return the lock file path
	 */
	public Path lockFile(LockRequest request) {
		return this.directory.resolve(request.name() + LOCK_SUFFIX);
	}

	/**
	 * Path of the holder record file for a request: {@code DIR/NAME.lock.holder}.
	 * @param request the request
	 * @return the holder record path
	 */
	public Path holderFile(LockRequest request) {
		return this.directory.resolve(request.name() + HOLDER_SUFFIX);
	}

	@Override
	public String describeLocation(LockRequest request) {
		return lockFile(request).toString();
	}

	/**
	 * Try once to acquire the lock. A pending interrupt of the calling thread is kept for
	 * the caller but not let loose on the file channel, which Java would close.
	 */
	@Override
	public Optional<LockLease> tryAcquire(LockRequest request) {
		boolean interrupted = Thread.interrupted();
		try {
			return doTryAcquire(request);
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private Optional<LockLease> doTryAcquire(LockRequest request) {
		Target target = target(request, true);
		if (!HeldLocks.claimForAcquisition(target.key())) {
			return Optional.empty();
		}
		boolean acquired = false;
		try {
			for (int i = 0; i < MAX_ATTEMPTS; i++) {
				Attempt attempt = attempt(target, false, request.heartbeatEnabled());
				if (attempt.outcome() == Outcome.HELD && request.heartbeatEnabled()) {
					attempt = Takeover.tryTakeOver(this, target, request, attempt.observed());
				}
				if (attempt.outcome() == Outcome.ACQUIRED) {
					LockLease lease = newLease(target, request, attempt.locked());
					acquired = true;
					return Optional.of(lease);
				}
				if (attempt.outcome() == Outcome.HELD) {
					return Optional.empty();
				}
			}
			throw LockErrors.raceCondition(target.location());
		}
		catch (IOException ex) {
			throw translate(ex, target, "acquire the lock");
		}
		finally {
			if (!acquired) {
				HeldLocks.unclaim(target.key());
			}
		}
	}

	/**
	 * Wait for the lock. With the heartbeat off, this blocks in the kernel on the lock
	 * file, so a standby takes over within milliseconds of the holder's death. With the
	 * heartbeat on it polls, so that a stale holder can be taken over.
	 */
	@Override
	public LockLease acquireBlocking(LockRequest request, Duration pollInterval) throws InterruptedException {
		if (request.heartbeatEnabled()) {
			return LockBackend.super.acquireBlocking(request, pollInterval);
		}
		Target target = target(request, true);
		while (!HeldLocks.claimForAcquisition(target.key())) {
			Thread.sleep(Math.max(1, pollInterval.toMillis()));
		}
		boolean acquired = false;
		try {
			while (true) {
				if (Thread.interrupted()) {
					throw new InterruptedException("Interrupted while waiting for " + target.location());
				}
				Attempt attempt = attempt(target, true, false);
				if (attempt.outcome() == Outcome.ACQUIRED) {
					LockLease lease = newLease(target, request, attempt.locked());
					acquired = true;
					return lease;
				}
				if (attempt.outcome() == Outcome.HELD) {
					// only when this JVM holds the file through a channel of its own
					Thread.sleep(Math.max(1, pollInterval.toMillis()));
				}
			}
		}
		catch (FileLockInterruptionException | ClosedByInterruptException ex) {
			Thread.interrupted();
			InterruptedException interrupted = new InterruptedException(
					"Interrupted while waiting for " + target.location());
			interrupted.initCause(ex);
			throw interrupted;
		}
		catch (IOException ex) {
			throw translate(ex, target, "acquire the lock");
		}
		finally {
			if (!acquired) {
				HeldLocks.unclaim(target.key());
			}
		}
	}

	@Override
	public Optional<HolderRecord> inspect(LockRequest request) {
		boolean interrupted = Thread.interrupted();
		try {
			return doInspect(request);
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private Optional<HolderRecord> doInspect(LockRequest request) {
		Target target = target(request, false);
		if (target == null) {
			return Optional.empty();
		}
		HeldLocks.InJvmState inJvm = HeldLocks.beginInspection(target.key());
		if (inJvm != null) {
			if (inJvm.lease() != null) {
				return Optional.of(inJvm.lease().holder());
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
					closeQuietly(channel);
				}
			}
		}
		catch (NoSuchFileException ex) {
			return Optional.empty();
		}
		catch (IOException ex) {
			throw translate(ex, target, "inspect the lock");
		}
		finally {
			HeldLocks.endInspection(target.key());
		}
	}

	/**
	 * Whether the holder of the lock could be one that stopped heartbeating, so that a
	 * contender that watches it long enough might take the lock over (see the class
	 * Javadoc). Answers at once, without watching, and never opens the lock file (it
	 * reads its attributes and the holder record only):
	 * <ul>
	 * <li>{@code false} when nobody holds a lock file, when the holder declared no
	 * heartbeat (such a holder is never taken over), or when its lock file changed less
	 * than its declared stale timeout ago by this host's clock (a live holder rewrites it
	 * every heartbeat interval, at most half the stale timeout);</li>
	 * <li>{@code true} otherwise, also when the modification time lies in the future (the
	 * clock stepped back) or the facts cannot be read.</li>
	 * </ul>
	 * Comparing the file's time with the wall clock is only good enough for this: a
	 * {@code false} answer may justify giving up early (an early refusal, which can never
	 * let two instances in), while a takeover is only ever decided by watching on the
	 * monotonic clock.
	 * @param request what to lock
	 * @return whether the holder may be taken over by a contender that watches it
	 */
	public boolean mayBeTakenOver(LockRequest request) {
		Path path = lockFile(request);
		try {
			FileFacts facts = LockFiles.lstat(path);
			if (facts == null) {
				return false;
			}
			Optional<HolderFiles.Declared> declared = HolderFiles.readDeclared(holderFile(request));
			if (declared.isEmpty() || !declared.get().heartbeat()) {
				return false;
			}
			long unchangedMillis = System.currentTimeMillis() - facts.lastModifiedMillis();
			return unchangedMillis < 0 || unchangedMillis >= declared.get().staleTimeout().toMillis();
		}
		catch (IOException ex) {
			return true;
		}
	}

	/**
	 * Install a listener for fault-injection tests.
	 * @param listener the listener
	 */
	void setAttemptListener(AttemptListener listener) {
		this.attemptListener = (listener != null) ? listener : AttemptListener.NONE;
	}

	private FileLockLease newLease(Target target, LockRequest request, Locked locked) throws IOException {
		HolderRecord record = request.newHolderRecord();
		try {
			LockFiles.writeAtomically(target.holderFile(), HolderFiles.format(record, request));
		}
		catch (IOException ex) {
			FileLockLease.unlinkAndClose(target, locked, request.heartbeatEnabled());
			throw ex;
		}
		FileLockLease lease = new FileLockLease(this, target, request, record, locked);
		HeldLocks.held(target.key(), lease);
		HeldLocks.holdFile(locked.facts().fileKey(), lease);
		return lease;
	}

	/**
	 * Resolve where a request's lock lives.
	 * @param request the request
	 * @param create whether to create a missing directory
	 * @return the target, or {@code null} when the directory does not exist and
	 * {@code create} is {@code false}
	 */
	Target target(LockRequest request, boolean create) {
		Path path = lockFile(request);
		try {
			if (create) {
				PlatformDefaults.createDirectory(this.directory);
			}
			else if (!Files.isDirectory(this.directory)) {
				return null;
			}
			Path realDirectory = this.directory.toRealPath();
			PlatformDefaults.requireSafeDirectory(realDirectory);
			Path realPath = realDirectory.resolve(request.name() + LOCK_SUFFIX);
			return new Target(path, realPath, holderFile(request),
					this.directory.resolve(request.name() + TAKEOVER_SUFFIX), realPath.toString(), path.toString());
		}
		catch (IOException ex) {
			if (LockFiles.isAccessDenied(ex)) {
				throw LockErrors.permissionDenied(path, ex);
			}
			if (ex instanceof FileAlreadyExistsException) {
				throw LockErrors.backendUnavailable(path.toString(),
						"use " + this.directory + " as the lock directory: it exists but is not a directory", ex);
			}
			throw LockErrors.backendUnavailable(path.toString(), "prepare the lock directory " + this.directory, ex);
		}
	}

	/**
	 * One attempt to lock the file at the target's path: refuse unsafe files, open
	 * without following links, lock, then prove the path still names the locked file.
	 * @param target where the lock lives
	 * @param blocking whether to wait for the OS lock
	 * @param serialized whether to confirm the path under the takeover lock, so that a
	 * concurrent heartbeat takeover cannot replace the file unnoticed
	 * @return the outcome
	 * @throws IOException on I/O failure
	 */
	Attempt attempt(Target target, boolean blocking, boolean serialized) throws IOException {
		return attempt(target, blocking, serialized, -1);
	}

	/**
	 * One attempt to lock the file at the target's path, as
	 * {@link #attempt(Target, boolean, boolean)}, while this process still has an older
	 * descriptor open on a file of the same name.
	 * @param target where the lock lives
	 * @param blocking whether to wait for the OS lock
	 * @param serialized whether to confirm the path under the takeover lock
	 * @param olderDescriptor the older descriptor, to tell it from the new one, or
	 * {@code -1}
	 * @return the outcome
	 * @throws IOException on I/O failure
	 */
	Attempt attempt(Target target, boolean blocking, boolean serialized, int olderDescriptor) throws IOException {
		FileFacts existing = LockFiles.lstat(target.path());
		if (existing != null && HeldLocks.leaseOf(existing.fileKey()) != null) {
			// this JVM holds the file under another name (a bind mount, another case):
			// opening it would risk a descriptor that must never be closed
			return new Attempt(Outcome.HELD, null, existing);
		}
		if (existing != null) {
			if (ForeignLockFiles.isForeign(existing)) {
				// another user's lock file in a shared directory: name its holder, or
				// replace its leftover as root
				return ForeignLockFiles.attempt(target, existing);
			}
			LockFiles.requireSafe(target.path(), existing);
		}
		// know whether this attempt created the file: only then may a failure remove it
		boolean created = false;
		FileChannel channel;
		if (existing == null) {
			try {
				channel = open(target.path(), true);
				created = true;
			}
			catch (FileAlreadyExistsException ex) {
				channel = open(target.path(), false);
			}
		}
		else {
			channel = open(target.path(), false);
		}
		boolean keep = false;
		try {
			Path descriptorLink = LockFiles.findDescriptorLink(target.realPath(), olderDescriptor);
			FileFacts opened = (descriptorLink != null) ? FileFacts.read(descriptorLink)
					: LockFiles.lstat(target.path());
			if (opened == null) {
				return Attempt.RETRY;
			}
			if (HeldLocks.leaseOf(opened.fileKey()) != null) {
				// swapped in between the check and the open
				HeldLocks.park(opened.fileKey(), channel);
				keep = true;
				return new Attempt(Outcome.HELD, null, opened);
			}
			LockFiles.requireSafe(target.path(), opened);
			this.attemptListener.afterOpen(target.path());
			FileLock[] regions;
			try {
				regions = lockRegions(channel, blocking);
			}
			catch (OverlappingFileLockException ex) {
				// another channel of this JVM holds a lock on this very file: closing
				// this descriptor would drop it
				HeldLocks.park(opened.fileKey(), channel);
				keep = true;
				return new Attempt(Outcome.HELD, null, opened);
			}
			if (regions == null) {
				return new Attempt(Outcome.HELD, null, opened);
			}
			try {
				Attempt confirmed = confirm(target, serialized, channel, regions, opened, descriptorLink);
				keep = confirmed.outcome() == Outcome.ACQUIRED;
				return confirmed;
			}
			catch (IOException | RuntimeException ex) {
				// a full disk, say: remove the file this attempt created, while still
				// holding its lock and only if the path still names it, so that no empty
				// leftover confuses people or looks like a replacement to a holder
				if (created && descriptorLink != null && LockFiles.pathNames(target.path(), opened)) {
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
	private static Attempt confirm(Target target, boolean serialized, FileChannel channel, FileLock[] regions,
			FileFacts opened, Path descriptorLink) throws IOException {
		if (!LockFiles.pathNames(target.path(), opened)) {
			// a holder unlinked (or a takeover replaced) the file between our open
			// and lock
			return Attempt.RETRY;
		}
		if (serialized || Takeover.possible(target)) {
			// the check and the PID write happen under the takeover lock: a
			// contender that judged the previous content stale sees it change
			// before it may rename its own file over the path
			if (!Takeover.serialized(target, () -> LockFiles.pathNames(target.path(), opened) && writePid(channel),
					false)) {
				return Attempt.RETRY;
			}
		}
		else {
			writePid(channel);
		}
		return new Attempt(Outcome.ACQUIRED,
				new Locked(channel, regions[0], regions[1], opened, LockFiles.descriptorNumber(descriptorLink)),
				opened);
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
	static FileLock[] lockRegions(FileChannel channel, boolean blocking) throws IOException {
		FileLock tail = blocking ? channel.lock(TAIL_POSITION, TAIL_SIZE, false)
				: channel.tryLock(TAIL_POSITION, TAIL_SIZE, false);
		if (tail == null) {
			return null;
		}
		FileLock head;
		try {
			head = channel.tryLock(0, HEAD_SIZE, false);
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

	static boolean writePid(FileChannel channel) throws IOException {
		channel.truncate(0);
		ByteBuffer content = ByteBuffer.wrap(HolderFiles.pidContent(ProcessHandle.current().pid()));
		long position = 0;
		while (content.hasRemaining()) {
			position += channel.write(content, position);
		}
		return true;
	}

	static void closeQuietly(FileChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ex) {
			// nothing left to release
		}
	}

	static LockException translate(IOException ex, Target target, String what) {
		if (LockFiles.isAccessDenied(ex)) {
			return LockErrors.permissionDenied(target.path(), ex);
		}
		return LockErrors.backendUnavailable(target.location(), what, ex);
	}

	/**
	 * Where a lock lives.
	 *
	 * @param path the lock file as configured
	 * @param realPath the lock file with its directory's real path
	 * @param holderFile the sibling holder record file
	 * @param takeoverFile the file that serializes heartbeat takeovers
	 * @param key the key of the JVM-wide registry
	 * @param location the path for messages
	 */
	record Target(Path path, Path realPath, Path holderFile, Path takeoverFile, String key, String location) {
	}

	/**
	 * A channel holding the OS lock on a lock file, as two adjacent regions that together
	 * cover the whole file.
	 *
	 * @param channel the channel
	 * @param head the lock on the first byte
	 * @param tail the lock on the rest of the file
	 * @param facts the locked file's attributes when it was locked, read through the
	 * channel's {@code /proc/self/fd} entry where there is one; its identity (device and
	 * inode) stays the channel's for as long as the channel is open
	 * @param descriptor the channel's descriptor number, where {@code /proc/self/fd}
	 * proved which file it is; {@code -1} when the identity comes from the path alone
	 */
	record Locked(FileChannel channel, FileLock head, FileLock tail, FileFacts facts, int descriptor) {

		/**
		 * Whether Java still considers both regions locked.
		 * @return whether valid
		 */
		boolean valid() {
			return this.channel.isOpen() && this.head.isValid() && this.tail.isValid();
		}

		/**
		 * Whether the locked file's identity was read through the descriptor itself,
		 * rather than from the path after the open.
		 * @return whether proven
		 */
		boolean identityProven() {
			return this.descriptor >= 0;
		}

		/**
		 * What the kernel says about this lock.
		 * @return the evidence
		 */
		OsLocks.Evidence evidence() {
			return OsLocks.evidence(this.descriptor, this.facts.inode());
		}

		/**
		 * Release both regions, keeping the channel open.
		 * @throws IOException on failure
		 */
		void releaseLocks() throws IOException {
			IOException failure = null;
			for (FileLock lock : new FileLock[] { this.head, this.tail }) {
				try {
					if (lock.isValid()) {
						lock.release();
					}
				}
				catch (IOException ex) {
					failure = (failure != null) ? failure : ex;
				}
			}
			if (failure != null) {
				throw failure;
			}
		}

	}

	enum Outcome {

		ACQUIRED, HELD, RETRY

	}

	/**
	 * Result of one attempt.
	 *
	 * @param outcome what happened
	 * @param locked the held lock when acquired
	 * @param observed the attributes of the file found, when known
	 */
	record Attempt(Outcome outcome, Locked locked, FileFacts observed) {

		static final Attempt RETRY = new Attempt(Outcome.RETRY, null, null);

	}

	/**
	 * Callback for fault-injection tests, between opening and locking the lock file.
	 */
	interface AttemptListener {

		AttemptListener NONE = (path) -> {
		};

		void afterOpen(Path path) throws IOException;

	}

}
