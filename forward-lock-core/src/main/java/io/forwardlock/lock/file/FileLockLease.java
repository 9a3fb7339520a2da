package io.forwardlock.lock.file;

import java.io.IOException;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import org.jspecify.annotations.Nullable;

/**
 * Lease of a {@link FileLockBackend}: a channel that holds the OS lock on the lock file.
 * Every read and write of the held file goes through that channel; nothing here opens the
 * lock file a second time. {@link LeaseVerifier} checks and repairs it,
 * {@link LeaseWatch} tells of suspected losses, {@link LeaseRelease} lets go of it.
 */
final class FileLockLease implements LockLease {

	/**
	 * Longest wait of a release for a verification or heartbeat in progress; after it,
	 * the lock is let go without cleaning up.
	 */
	static final long RELEASE_WAIT_MILLIS = 2000;

	private final FileLockBackend backend;

	private final LockTarget target;

	private final LockRequest request;

	private final HolderRecord holder;

	private final byte[] holderContent;

	private final OptionalLong fencingToken;

	private final LeaseVerifier verifier;

	private final AtomicBoolean released = new AtomicBoolean();

	private final LeaseWatch watch;

	private final ReentrantLock monitor = new ReentrantLock();

	// replaced under the monitor; read without it by ensureHeld()
	private volatile LockedFile locked;

	// set once a verification or heartbeat found the lock lost: never cleared
	private volatile @Nullable String lostDetail;

	// the backend's monotonic clock, which tells a pause between heartbeats
	private final LongSupplier clock;

	private long lastBeatNanos;

	/**
	 * Create the lease of a lock that was just taken.
	 * @param backend the backend that took it
	 * @param target where the lock lives
	 * @param request the request
	 * @param holder this holder's record
	 * @param holderContent the record as written to the holder record file
	 * ({@link HolderFiles#format(HolderRecord, LockRequest)}), which verifications
	 * compare byte for byte
	 * @param locked the held lock
	 * @param fencingToken the token issued for this acquisition, empty with the heartbeat
	 * off
	 */
	FileLockLease(FileLockBackend backend, LockTarget target, LockRequest request, HolderRecord holder,
			byte[] holderContent, LockedFile locked, OptionalLong fencingToken) {
		this.backend = backend;
		this.target = target;
		this.request = request;
		this.holder = holder;
		this.holderContent = holderContent;
		this.locked = locked;
		this.fencingToken = fencingToken;
		this.verifier = new LeaseVerifier(this, target);
		this.watch = new LeaseWatch(target, this.released::get);
		this.clock = backend.nanoTime();
		this.lastBeatNanos = this.clock.getAsLong();
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

	/**
	 * The token issued under the takeover lock when this lease was acquired with the
	 * heartbeat on; it stays the same when a verification re-creates a deleted lock file.
	 * Empty with the heartbeat off: then acquirers do not serialize, and nothing could
	 * order their tokens.
	 */
	@Override
	public OptionalLong fencingToken() {
		return this.fencingToken;
	}

	@Override
	public boolean isReleased() {
		return this.released.get();
	}

	FileLockBackend backend() {
		return this.backend;
	}

	byte[] holderContent() {
		return this.holderContent;
	}

	boolean heartbeatEnabled() {
		return this.request.heartbeatEnabled();
	}

	int directoryMode() {
		return this.request.directoryMode();
	}

	LockedFile locked() {
		return this.locked;
	}

	void replaceLocked(LockedFile locked) {
		this.locked = locked;
	}

	/**
	 * Watch the lock file and its directory (inotify on Linux), and call the listener as
	 * soon as either is deleted, renamed or replaced.
	 */
	@Override
	public void onSuspectedLoss(@Nullable Runnable listener) {
		this.monitor.lock();
		try {
			this.watch.listen(listener);
		}
		finally {
			this.monitor.unlock();
		}
	}

	/**
	 * Watch again after a repair: a re-created directory is a new one. Called with the
	 * monitor held.
	 */
	void rewatch() {
		this.watch.rewatch();
	}

	/**
	 * Check the OS lock, the channel, and that the path still names the locked file with
	 * this process's PID in it; repair what can be repaired without a gap
	 * ({@link LeaseVerifier}).
	 */
	@Override
	public Verification verify() {
		this.monitor.lock();
		try {
			if (this.released.get()) {
				return Verification.lost("the lease was released", null);
			}
			String lost = this.lostDetail;
			if (lost != null) {
				// never claim the path again: a successor may already run, even if the
				// path now shows a file that nobody locks, or nothing
				return Verification.lost("the lock was lost earlier: " + lost, null);
			}
			boolean interrupted = Thread.interrupted();
			try {
				return noted(this.verifier.verify());
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

	private Verification noted(Verification verification) {
		if (verification.status() == Verification.Status.LOST) {
			this.lostDetail = verification.detail();
		}
		return verification;
	}

	/**
	 * Check cheaply that the lock is still this lease's: the lease was neither released
	 * nor found lost, Java still holds both regions, the path still names the locked file
	 * (one {@code lstat}, compared with the device and inode recorded through the
	 * descriptor when it was locked), and, where the descriptor is known, the kernel
	 * lists this process's lock in the descriptor's information (one positional read of
	 * {@code /proc/self/fdinfo/N}, kept open; never the whole lock table). Nothing is
	 * repaired here: a deleted or replaced lock file fails at once, and the listener
	 * given to {@link #onSuspectedLoss(Runnable)} is told, so that a verification
	 * decides.
	 */
	@Override
	public void ensureHeld() {
		failIfGone();
		boolean interrupted = Thread.interrupted();
		try {
			LockedFile current = this.locked;
			String suspicion = this.verifier.quickCheck(current);
			if (suspicion != null) {
				this.watch.suspect();
				throw LockErrors.lockLost(location(), suspicion + "; a verification decides whether it can be repaired",
						null);
			}
			if (current.descriptorEvidence(this.backend.kernel()) == OsLocks.Evidence.NOT_HELD) {
				// the descriptor's information does not list the lock (or an old kernel
				// lists none there): let the thorough check decide
				Verification verification = verify();
				if (!verification.isHeld()) {
					throw LockErrors.lockLost(location(), verification.detail(), verification.currentHolder());
				}
			}
		}
		catch (IOException ex) {
			throw LockErrors.backendUnavailable(location(), "check the lock", ex);
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Fail when the lease was released or found lost: a lost lease never claims the lock
	 * path again, since a successor may already run.
	 */
	private void failIfGone() {
		if (this.released.get()) {
			throw LockErrors.lockLost(location(), "the lease was released", null);
		}
		String lost = this.lostDetail;
		if (lost != null) {
			throw LockErrors.lockLost(location(), "the lock was lost earlier: " + lost, null);
		}
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
			failIfGone();
			boolean interrupted = Thread.interrupted();
			try {
				long now = this.clock.getAsLong();
				boolean paused = now - this.lastBeatNanos > this.request.heartbeatInterval().multipliedBy(2).toNanos();
				LockedFile current = this.locked;
				if (paused || !current.valid() || !LockFiles.pathNames(this.target.path(), current.facts())) {
					Verification verification = noted(this.verifier.verify());
					if (!verification.isHeld()) {
						throw LockErrors.lockLost(this.target.location(), verification.detail(),
								verification.currentHolder());
					}
				}
				LockAttempts.writeAt(this.locked.channel(), HolderFiles.pidContent(this.holder.pid()));
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
	 * Clean up while still holding the lock (only if the path still names the held file
	 * and the lock is still this lease's: never after a recorded loss, see
	 * {@link LeaseRelease}), then release the lock, then close the channel. Idempotent
	 * and callable from any thread, also an interrupted one.
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
		// an interrupt (a shutdown) would close the channels that ask the kernel, and an
		// unanswered question must not turn into a clean-up: the release runs without it
		boolean interrupted = Thread.interrupted();
		try {
			// our own unlink is no news
			this.watch.cancel();
			try {
				// a lease found lost never cleans up: the file may be a successor's
				LeaseRelease.unlinkAndClose(this.target, this.locked, this.request.heartbeatEnabled(),
						this.backend.kernel(), (this.lostDetail != null) ? null : new LeaseRelease.Owner(
								HolderFiles.pidContent(this.holder.pid()), this.holder, this.holderContent));
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
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
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
		LockedFile current = this.locked;
		try {
			LeaseRelease.closeHeld(current, null);
		}
		finally {
			HeldLocks.forgetFile(current.facts().fileKey(), this);
			HeldLocks.unclaim(this.target.key());
		}
		throw LockErrors.releaseFailed(this.target.location(), new IOException(
				"a verification or heartbeat of the lock did not finish within " + RELEASE_WAIT_MILLIS + " ms"));
	}

	@Override
	public String toString() {
		return "FileLockLease[" + this.target.location() + ", " + this.holder.describe()
				+ (this.released.get() ? ", released" : "") + "]";
	}

}
