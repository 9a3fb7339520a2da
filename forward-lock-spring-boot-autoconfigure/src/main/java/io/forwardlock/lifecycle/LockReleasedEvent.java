package io.forwardlock.lifecycle;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Published when this instance released the lock on shutdown, after every other lifecycle
 * bean (the web server included) has stopped.
 */
public class LockReleasedEvent extends LockEvent {

	private final @Nullable Duration heldFor;

	/**
	 * Create a new event.
	 * @param source the publisher
	 * @param status the status after the release
	 * @param heldFor how long the lock was held, may be {@code null} when unknown
	 */
	public LockReleasedEvent(Object source, LockStatus status, @Nullable Duration heldFor) {
		super(source, status);
		this.heldFor = heldFor;
	}

	/**
	 * How long the lock was held.
	 * @return the duration, or {@code null} when unknown
	 */
	public @Nullable Duration getHeldFor() {
		return this.heldFor;
	}

}
