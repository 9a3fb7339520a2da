package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
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

	private final AtomicBoolean released = new AtomicBoolean();

	private final Object monitor = new Object();

	private Locked locked;

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
	 * Check the OS lock, the channel, and that the path still names the locked file with
	 * this process's PID in it. A vanished file is re-created and re-locked when nobody
	 * else holds the lock ({@code HEALED}); a replaced file means the lock is
	 * {@code LOST}.
	 */
	@Override
	public Verification verify() {
		synchronized (this.monitor) {
			if (this.released.get()) {
				return Verification.lost("the lease was released", null);
			}
			boolean interrupted = Thread.interrupted();
			try {
				return doVerify();
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
	}

	private Verification doVerify() throws IOException {
		Locked current = this.locked;
		boolean lockValid = current.channel().isOpen() && current.lock().isValid()
				&& !Boolean.FALSE.equals(OsLocks.heldByThisProcess(current.facts().inode()));
		FileFacts atPath = LockFiles.lstat(this.target.path());
		if (lockValid) {
			// an open descriptor's device and inode never change, so the identity
			// recorded
			// when it was locked is still the identity of the file behind the channel
			FileFacts mine = current.facts();
			boolean pathIsMine = (mine.fileKey() != null) ? mine.sameFileAs(atPath)
					: (atPath != null && !atPath.symbolicLink());
			if (pathIsMine) {
				return checkContent(current);
			}
			if (atPath != null) {
				return Verification.lost("the lock file was replaced by another file",
						otherHolder().orElse(HolderRecord.unknown()));
			}
		}
		else if (atPath != null && !current.facts().sameFileAs(atPath)) {
			return Verification.lost("the OS lock was dropped and the lock file was replaced",
					otherHolder().orElse(HolderRecord.unknown()));
		}
		return heal(current,
				lockValid ? "the lock file was deleted; re-created it"
						: "the OS lock was dropped (a descriptor of the lock file was closed in this process, "
								+ "or the channel was closed); locked the lock file again");
	}

	private Verification checkContent(Locked current) throws IOException {
		byte[] content = HolderFiles.readStart(current.channel());
		byte[] expected = HolderFiles.pidContent(this.holder.pid());
		if (!Arrays.equals(content, expected)) {
			FileLockBackend.writePid(current.channel());
			return Verification.healed("the lock file's content was changed; rewrote the PID");
		}
		Optional<byte[]> raw = HolderFiles.readBytes(this.target.holderFile());
		if (raw.isPresent() && Arrays.equals(raw.get(), this.holderContent)) {
			// what this lease wrote, byte for byte: no need to parse it
			return Verification.held();
		}
		Optional<HolderRecord> recorded = raw.flatMap(HolderFiles::parse);
		if (recorded.isEmpty() || !recorded.get().equals(this.holder)) {
			LockFiles.writeAtomically(this.target.holderFile(), this.holderContent);
			return Verification.healed("the holder record file was missing or changed; rewrote it");
		}
		return Verification.held();
	}

	/**
	 * Lock the path again after the file vanished or the OS lock was dropped. The old
	 * channel is closed first: it can only refer to an orphaned file, or to the same
	 * file, whose new lock its closing would otherwise drop.
	 */
	private Verification heal(Locked current, String detail) throws IOException {
		FileLockBackend.closeQuietly(current.channel());
		// a tmp cleaner may have removed the whole directory
		PlatformDefaults.createDirectory(this.target.path().getParent());
		for (int i = 0; i < FileLockBackend.MAX_ATTEMPTS; i++) {
			Attempt attempt = this.backend.attempt(this.target, false, this.request.heartbeatEnabled());
			if (attempt.outcome() == Outcome.ACQUIRED) {
				this.locked = attempt.locked();
				LockFiles.writeAtomically(this.target.holderFile(), this.holderContent);
				return Verification.healed(detail);
			}
			if (attempt.outcome() == Outcome.HELD) {
				return Verification.lost("the lock file was deleted and another process locked it since",
						otherHolder().orElse(HolderRecord.unknown()));
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
		synchronized (this.monitor) {
			if (this.released.get()) {
				throw LockErrors.lockLost(this.target.location(), "the lease was released", null);
			}
			boolean interrupted = Thread.interrupted();
			try {
				long now = this.clock.getAsLong();
				boolean paused = now - this.lastBeatNanos > this.request.heartbeatInterval().multipliedBy(2).toNanos();
				Locked current = this.locked;
				if (paused || !current.channel().isOpen() || !current.lock().isValid()
						|| !LockFiles.pathNames(this.target.path(), current.facts())) {
					Verification verification = doVerify();
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
	}

	/**
	 * Replace the monotonic clock that tells a pause, for tests.
	 * @param clock the clock, in nanoseconds
	 */
	void setClock(LongSupplier clock) {
		synchronized (this.monitor) {
			this.clock = clock;
			this.lastBeatNanos = clock.getAsLong();
		}
	}

	/**
	 * Unlink the lock file and the holder record while still holding the lock (only if
	 * the path still names the held file), then release the lock, then close the channel.
	 * Idempotent and callable from any thread.
	 */
	@Override
	public void release() {
		if (!this.released.compareAndSet(false, true)) {
			return;
		}
		synchronized (this.monitor) {
			try {
				unlinkAndClose(this.target, this.locked, this.request.heartbeatEnabled());
			}
			catch (IOException ex) {
				throw LockErrors.releaseFailed(this.target.location(), ex);
			}
			finally {
				HeldLocks.unclaim(this.target.key());
			}
		}
	}

	/**
	 * Unlink the lock file and holder record if the path still names the held file, then
	 * release the lock and close the channel.
	 * @param target where the lock lives
	 * @param locked the held lock
	 * @param serialized whether to check and unlink under the takeover lock, so that a
	 * takeover's replacement is never unlinked by the holder it replaced
	 * @throws IOException on failure; the lock is released and the channel closed anyway
	 */
	static void unlinkAndClose(Target target, Locked locked, boolean serialized) throws IOException {
		IOException failure = null;
		try {
			// never unlink a file whose OS lock this process no longer holds: someone
			// else may
			if (locked.channel().isOpen() && locked.lock().isValid()
					&& !Boolean.FALSE.equals(OsLocks.heldByThisProcess(locked.facts().inode()))) {
				if (serialized) {
					// busy: leave the file; a leftover never blocks anybody
					Takeover.serialized(target, () -> unlinkIfStillNamed(target, locked), false);
				}
				else {
					unlinkIfStillNamed(target, locked);
				}
			}
		}
		catch (IOException ex) {
			failure = ex;
		}
		finally {
			try {
				if (locked.lock().isValid()) {
					locked.lock().release();
				}
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

	private static boolean unlinkIfStillNamed(Target target, Locked locked) throws IOException {
		if (!stillNamed(target, locked)) {
			return false;
		}
		LockFiles.deleteIfExists(target.holderFile());
		LockFiles.deleteIfExists(target.path());
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
