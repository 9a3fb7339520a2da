package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLockInterruptionException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import org.jspecify.annotations.Nullable;

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
 * <b>The directory</b> is refused with {@code UNSAFE_LOCK_DIRECTORY} when others may
 * write to it without the sticky bit, when another user than this one or root owns it, or
 * when it lies in a directory that such a user owns or everybody may write to without the
 * sticky bit. Another user's lock file in a shared directory is reported by its holder's
 * PID when a process locks it, and as a leftover otherwise; root replaces such a leftover
 * safely ({@link ForeignLockFiles}). <b>Caveats</b> (a local file system, no interrupts
 * while verifying, lock names in one case): {@code docs/file-backend.md}.
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

	private final LockDirectory directory;

	private final OsLocks kernel;

	private final LongSupplier nanoTime;

	private final LockFileOpener opener;

	private final LockAttempts attempts = new LockAttempts(this);

	/**
	 * What this backend, as a contender, saw of held locks and since when.
	 */
	final Takeover.Watch takeoverWatch;

	/**
	 * Create a backend that keeps its lock files in the given directory, creating it
	 * (mode 0700, or the request's {@link LockRequest#directoryMode()}) on first
	 * acquisition if it is missing.
	 * @param directory the lock directory
	 */
	public FileLockBackend(Path directory) {
		this(directory, OsLocks.PROC, System::nanoTime, LockAttempts::open);
	}

	/**
	 * Create a backend that sees the operating system through the given views, which its
	 * leases share; the public constructor gives the real ones.
	 * @param directory the lock directory
	 * @param kernel what the kernel says about this process's locks
	 * @param nanoTime the monotonic clock that tells a holder's pause and a contender's
	 * wait for a hung holder, in nanoseconds
	 * @param opener opens the lock file for an attempt to lock it
	 */
	FileLockBackend(Path directory, OsLocks kernel, LongSupplier nanoTime, LockFileOpener opener) {
		this.directory = new LockDirectory(
				Objects.requireNonNull(directory, "'directory' must not be null").toAbsolutePath());
		this.kernel = kernel;
		this.nanoTime = nanoTime;
		this.opener = opener;
		this.takeoverWatch = new Takeover.Watch(nanoTime);
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
		return this.directory.path();
	}

	/**
	 * Path of the lock file for a request: {@code DIR/NAME.lock}.
	 * @param request the request
	 * @return the lock file path
	 */
	public Path lockFile(LockRequest request) {
		return getDirectory().resolve(request.name() + LOCK_SUFFIX);
	}

	/**
	 * Path of the holder record file for a request: {@code DIR/NAME.lock.holder}.
	 * @param request the request
	 * @return the holder record path
	 */
	public Path holderFile(LockRequest request) {
		return getDirectory().resolve(request.name() + HOLDER_SUFFIX);
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
			return Optional.ofNullable(acquire(request, null));
		}
		catch (InterruptedException ex) {
			// another thread interrupted the I/O, which closed the channel: the attempt
			// let go of whatever it had
			interrupted = true;
			throw LockErrors.backendUnavailable(describeLocation(request), "acquire the lock", ex);
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
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
		return Objects.requireNonNull(acquire(request, pollInterval));
	}

	/**
	 * The frame of every acquisition: claim the lock in this JVM, make attempts, and give
	 * the claim up again unless a lease came of it.
	 * @param request the request
	 * @param pollInterval how often to look again while this JVM itself holds the file
	 * under another name, when waiting; {@code null} for a single try
	 * @return the lease, or {@code null} when a single try found the lock held
	 */
	private @Nullable FileLockLease acquire(LockRequest request, @Nullable Duration pollInterval)
			throws InterruptedException {
		LockTarget target = Objects.requireNonNull(target(request, true));
		if (!claim(target, pollInterval)) {
			return null;
		}
		boolean acquired = false;
		try {
			FileLockLease lease = acquireClaimed(target, request, pollInterval);
			acquired = lease != null;
			return lease;
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

	/**
	 * Attempt under this JVM's claim. A lock directory deleted meanwhile (a tmp cleaner,
	 * an operator) makes an open fail with {@link NoSuchFileException}: the directory is
	 * created again and the acquisition starts over, as often as a lock file replaced
	 * under it may, instead of failing a start-up or a standby's wait.
	 */
	private @Nullable FileLockLease acquireClaimed(LockTarget claimed, LockRequest request,
			@Nullable Duration pollInterval) throws IOException, InterruptedException {
		LockTarget target = claimed;
		for (int vanished = 0;; vanished++) {
			try {
				Attempt acquired = (pollInterval != null) ? this.attempts.waitFor(target, pollInterval)
						: this.attempts.tryOnce(target, request);
				return (acquired != null) ? newLease(target, request, acquired) : null;
			}
			catch (NoSuchFileException ex) {
				LockTarget again = (vanished < MAX_ATTEMPTS) ? target(request, true) : null;
				if (again == null || !again.key().equals(claimed.key())) {
					throw ex;
				}
				target = again;
			}
		}
	}

	private static boolean claim(LockTarget target, @Nullable Duration pollInterval) throws InterruptedException {
		if (pollInterval == null) {
			return HeldLocks.claimForAcquisition(target.key());
		}
		while (!HeldLocks.claimForAcquisition(target.key())) {
			Thread.sleep(Math.max(1, pollInterval.toMillis()));
		}
		return true;
	}

	@Override
	public Optional<HolderRecord> inspect(LockRequest request) {
		boolean interrupted = Thread.interrupted();
		try {
			LockTarget target = target(request, false);
			return (target != null) ? LockInspection.inspect(target) : Optional.empty();
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
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
		return Takeover.mayBeTakenOver(lockFile(request), holderFile(request));
	}

	/**
	 * Open the lock file for an attempt to lock it.
	 * @param path the lock file path
	 * @param createNew whether the file must not exist yet
	 * @return the channel
	 * @throws IOException on failure
	 */
	final FileChannel openLockFile(Path path, boolean createNew) throws IOException {
		return this.opener.open(path, createNew);
	}

	LockAttempts attempts() {
		return this.attempts;
	}

	/**
	 * What the kernel says about this process's locks, for this backend's leases.
	 * @return the view of the kernel
	 */
	OsLocks kernel() {
		return this.kernel;
	}

	/**
	 * The monotonic clock of this backend's leases.
	 * @return the clock, in nanoseconds
	 */
	LongSupplier nanoTime() {
		return this.nanoTime;
	}

	private FileLockLease newLease(LockTarget target, LockRequest request, Attempt acquired) throws IOException {
		LockedFile locked = acquired.lockedFile();
		HolderRecord record = request.newHolderRecord();
		byte[] holderContent = HolderFiles.format(record, request);
		try {
			LockFiles.writeAtomically(target.holderFile(), holderContent);
		}
		catch (IOException ex) {
			LeaseRelease.unlinkAndClose(target, locked, request.heartbeatEnabled(), this.kernel,
					new LeaseRelease.Owner(HolderFiles.pidContent(record.pid()), record, holderContent));
			throw ex;
		}
		FileLockLease lease = new FileLockLease(this, target, request, record, holderContent, locked,
				acquired.fencingToken());
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
	@Nullable LockTarget target(LockRequest request, boolean create) {
		return this.directory.target(request.name(), create, request.directoryMode());
	}

	static LockException translate(IOException ex, LockTarget target, String what) {
		if (LockFiles.isAccessDenied(ex)) {
			return LockErrors.permissionDenied(target.path(), ex);
		}
		return LockErrors.backendUnavailable(target.location(), what, ex);
	}

}
