package io.forwardlock.lock.watch;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The renewals of a {@link LockWatchdog} that cannot wait for the next heartbeat. With
 * the heartbeat at half the stale timeout (the defaults: 30 s and 60 s), a renewal that
 * comes a whole interval late comes after the lease has run out, so two kinds of renewal
 * go sooner:
 * <ul>
 * <li>one that came due while a verification ran (the two never run at once, and a
 * verification can be slow on a slow server) runs as soon as that verification ends;</li>
 * <li>one that failed is tried again, like client-go's retry period, after a quarter of
 * the heartbeat interval, at most 2 s, and again after every failure, until a renewal
 * succeeds or the deadline ends the watch.</li>
 * </ul>
 * More renewals never make the lease last longer than its last successful one allows; a
 * renewal that finds the watch stopped or the lease lost does nothing.
 */
final class PendingRenewal {

	private static final long LONGEST_RETRY_DELAY_NANOS = TimeUnit.SECONDS.toNanos(2);

	private final WatchTasks tasks;

	private final long retryDelayNanos;

	private final Runnable renewal;

	/** A renewal came due while a verification ran. */
	private final AtomicBoolean dueAfterVerification = new AtomicBoolean();

	private final AtomicBoolean retryScheduled = new AtomicBoolean();

	PendingRenewal(WatchTasks tasks, Duration heartbeatInterval, Runnable renewal) {
		this.tasks = tasks;
		this.retryDelayNanos = Math.max(1_000_000,
				Math.min(heartbeatInterval.toNanos() / 4, LONGEST_RETRY_DELAY_NANOS));
		this.renewal = renewal;
	}

	/**
	 * A renewal is due. Said before trying to run it, so that a verification that holds
	 * the watch's work sees it when it ends: said after, it could be missed.
	 */
	void due() {
		this.dueAfterVerification.set(true);
	}

	/**
	 * The renewal that was due runs now.
	 */
	void running() {
		this.dueAfterVerification.set(false);
	}

	/**
	 * A verification ended: run the renewal that came due meanwhile, if any.
	 */
	void verificationEnded() {
		if (this.dueAfterVerification.getAndSet(false)) {
			this.tasks.runNow(this.renewal);
		}
	}

	/**
	 * A renewal failed: try again after the retry delay, unless a retry is already
	 * scheduled.
	 */
	void failed() {
		if (!this.retryScheduled.compareAndSet(false, true)) {
			return;
		}
		boolean scheduled = this.tasks.runAfter(() -> {
			this.retryScheduled.set(false);
			this.renewal.run();
		}, this.retryDelayNanos);
		if (!scheduled) {
			this.retryScheduled.set(false);
		}
	}

}
