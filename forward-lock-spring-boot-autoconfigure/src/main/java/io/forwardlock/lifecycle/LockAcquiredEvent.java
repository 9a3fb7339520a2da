package io.forwardlock.lifecycle;

import java.time.Duration;

import io.forwardlock.lock.HolderRecord;
import org.jspecify.annotations.Nullable;

/**
 * Published when this instance acquired the lock, before the web server and any other
 * lifecycle bean starts.
 */
public class LockAcquiredEvent extends LockEvent {

	private final Duration acquireDuration;

	private final int attempts;

	private final boolean afterStandby;

	/**
	 * Create a new event.
	 * @param source the publisher
	 * @param status the status right after the acquisition
	 * @param acquireDuration how long acquiring took, including retries and standby
	 * @param attempts number of attempts, {@code 1} when the lock was free at once
	 * @param afterStandby whether the instance waited on standby for the lock
	 */
	public LockAcquiredEvent(Object source, LockStatus status, Duration acquireDuration, int attempts,
			boolean afterStandby) {
		super(source, status);
		this.acquireDuration = acquireDuration;
		this.attempts = attempts;
		this.afterStandby = afterStandby;
	}

	/**
	 * How long acquiring took, including retries and standby.
	 * @return the duration
	 */
	public Duration getAcquireDuration() {
		return this.acquireDuration;
	}

	/**
	 * Number of attempts that acquiring needed.
	 * @return the attempts
	 */
	public int getAttempts() {
		return this.attempts;
	}

	/**
	 * Whether the instance waited on standby for the lock.
	 * @return {@code true} after a standby wait
	 */
	public boolean isAfterStandby() {
		return this.afterStandby;
	}

	/**
	 * Holder record of this instance, as other processes see it.
	 * @return the holder
	 */
	public HolderRecord getHolder() {
		return getStatus().holder();
	}

	/**
	 * Fencing token of this acquisition, when the backend has one.
	 * @return the token or {@code null}
	 */
	public @Nullable Long getFencingToken() {
		return getStatus().fencingToken();
	}

}
