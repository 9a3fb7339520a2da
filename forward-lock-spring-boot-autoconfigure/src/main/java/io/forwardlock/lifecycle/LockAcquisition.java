package io.forwardlock.lifecycle;

import java.time.Duration;
import java.util.Objects;

import io.forwardlock.lock.LockLease;

/**
 * Outcome of a successful start-up acquisition.
 *
 * @param lease the lease now held
 * @param acquiredAtNanos {@link System#nanoTime()} as soon as the backend granted the
 * lease; the lease's deadline counts from there, however long it waits to be watched (a
 * lease taken early, before the application context exists)
 * @param duration how long acquiring took, including retries and standby
 * @param attempts number of attempts, {@code 1} when the lock was free at once
 * @param afterStandby whether the instance waited on standby
 */
public record LockAcquisition(LockLease lease, long acquiredAtNanos, Duration duration, int attempts,
		boolean afterStandby) {

	/**
	 * Create a new instance.
	 * @param lease the lease now held
	 * @param acquiredAtNanos {@link System#nanoTime()} when the backend granted the lease
	 * @param duration how long acquiring took
	 * @param attempts number of attempts
	 * @param afterStandby whether the instance waited on standby
	 */
	public LockAcquisition {
		Objects.requireNonNull(lease, "'lease' must not be null");
		Objects.requireNonNull(duration, "'duration' must not be null");
	}

}
