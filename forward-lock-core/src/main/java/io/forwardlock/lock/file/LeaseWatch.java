package io.forwardlock.lock.file;

import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;

/**
 * Who a {@link FileLockLease} tells when its lock may be lost between verifications: the
 * listener given to {@code onSuspectedLoss}, called when the lock file or its directory
 * is deleted, renamed or replaced (inotify on Linux, {@link LockDirectoryWatcher}), or
 * when a cheap check found the path changed. Registration changes happen under the
 * lease's monitor.
 */
final class LeaseWatch {

	private final LockTarget target;

	private final BooleanSupplier released;

	private volatile @Nullable Runnable listener;

	// guarded by the lease's monitor
	private LockDirectoryWatcher.Registration registration = LockDirectoryWatcher.Registration.NONE;

	LeaseWatch(LockTarget target, BooleanSupplier released) {
		this.target = target;
		this.released = released;
	}

	/**
	 * Replace the listener, and watch the lock file while there is one.
	 * @param listener the listener, or {@code null} to stop watching
	 */
	void listen(@Nullable Runnable listener) {
		this.listener = listener;
		cancel();
		if (listener != null && !this.released.getAsBoolean()) {
			this.registration = register();
		}
	}

	/**
	 * Watch again after a repair: a re-created directory is a new one.
	 */
	void rewatch() {
		if (this.listener != null) {
			cancel();
			this.registration = register();
		}
	}

	/**
	 * Stop watching (the lease's own unlink on release is no news).
	 */
	void cancel() {
		this.registration.cancel();
		this.registration = LockDirectoryWatcher.Registration.NONE;
	}

	/**
	 * Tell the listener, unless the lease was released.
	 */
	void suspect() {
		Runnable current = this.listener;
		if (current != null && !this.released.getAsBoolean()) {
			current.run();
		}
	}

	private LockDirectoryWatcher.Registration register() {
		return LockDirectoryWatcher.watch(this.target.path().getParent(), this.target.path().getFileName().toString(),
				this::suspect);
	}

}
