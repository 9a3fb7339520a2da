package io.forwardlock.lock.watch;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tries a failed renewal again soon, not a whole heartbeat interval later. With the
 * heartbeat at half the stale timeout (the defaults: 30 s and 60 s), the next regular
 * renewal after a failed one comes after the lease has run out, so a single failed
 * renewal would lose the lock however short the outage. Like client-go's retry period,
 * the retry comes after a quarter of the heartbeat interval, at most 2 s, and again after
 * every failure until a renewal succeeds or the deadline ends the watch. More renewals
 * never make the lease last longer than its last successful one allows.
 */
final class RenewalRetry {

	private static final long LONGEST_DELAY_NANOS = TimeUnit.SECONDS.toNanos(2);

	private final ScheduledExecutorService scheduler;

	private final long delayNanos;

	private final Runnable renewal;

	private final AtomicBoolean pending = new AtomicBoolean();

	RenewalRetry(ScheduledExecutorService scheduler, Duration heartbeatInterval, Runnable renewal) {
		this.scheduler = scheduler;
		this.delayNanos = Math.max(1_000_000, Math.min(heartbeatInterval.toNanos() / 4, LONGEST_DELAY_NANOS));
		this.renewal = renewal;
	}

	/**
	 * Run a check on the scheduler now, unless it is shutting down.
	 * @param scheduler the watch's scheduler
	 * @param check the check
	 */
	static void execute(ScheduledExecutorService scheduler, Runnable check) {
		try {
			scheduler.execute(check);
		}
		catch (RejectedExecutionException ex) {
			// shutting down: nothing left to check
		}
	}

	/**
	 * Try the renewal again after the delay, unless a retry is already pending.
	 */
	void schedule() {
		if (!this.pending.compareAndSet(false, true)) {
			return;
		}
		try {
			this.scheduler.schedule(() -> {
				this.pending.set(false);
				this.renewal.run();
			}, this.delayNanos, TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			// shutting down: nothing left to renew
			this.pending.set(false);
		}
	}

}
