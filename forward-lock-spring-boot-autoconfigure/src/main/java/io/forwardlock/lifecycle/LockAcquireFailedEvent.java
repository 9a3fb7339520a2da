package io.forwardlock.lifecycle;

import java.time.Duration;

import io.forwardlock.lock.LockException;

/**
 * Published when this instance could not acquire the lock and is about to fail its
 * start-up. Since the application context is failing, only listeners that are already
 * registered (for example through {@code SpringApplication.addListeners}) receive it.
 */
public class LockAcquireFailedEvent extends LockEvent {

	private final Duration acquireDuration;

	private final int attempts;

	private final LockException reason;

	/**
	 * Create a new event.
	 * @param source the publisher
	 * @param status the status when giving up
	 * @param acquireDuration how long was spent trying
	 * @param attempts number of attempts made
	 * @param reason why the lock could not be acquired
	 */
	public LockAcquireFailedEvent(Object source, LockStatus status, Duration acquireDuration, int attempts,
			LockException reason) {
		super(source, status);
		this.acquireDuration = acquireDuration;
		this.attempts = attempts;
		this.reason = reason;
	}

	/**
	 * How long was spent trying.
	 * @return the duration
	 */
	public Duration getAcquireDuration() {
		return this.acquireDuration;
	}

	/**
	 * Number of attempts made.
	 * @return the attempts
	 */
	public int getAttempts() {
		return this.attempts;
	}

	/**
	 * Why the lock could not be acquired.
	 * @return the reason
	 */
	public LockException getReason() {
		return this.reason;
	}

}
