package io.forwardlock.lifecycle;

import io.forwardlock.lock.HolderRecord;
import org.jspecify.annotations.Nullable;

/**
 * Published when this instance lost a lock it held, before the configured
 * {@link LockLostHandler} reacts. Listeners can stop work that must not run twice.
 */
public class LockLostEvent extends LockEvent {

	private final String reason;

	private final @Nullable HolderRecord newHolder;

	/**
	 * Create a new event.
	 * @param source the publisher
	 * @param status the status after the loss
	 * @param reason why the lock counts as lost
	 * @param newHolder who holds the lock now, may be {@code null}
	 */
	public LockLostEvent(Object source, LockStatus status, String reason, @Nullable HolderRecord newHolder) {
		super(source, status);
		this.reason = reason;
		this.newHolder = newHolder;
	}

	/**
	 * Why the lock counts as lost.
	 * @return the reason
	 */
	public String getReason() {
		return this.reason;
	}

	/**
	 * Who holds the lock now, when known.
	 * @return the new holder or {@code null}
	 */
	public @Nullable HolderRecord getNewHolder() {
		return this.newHolder;
	}

}
