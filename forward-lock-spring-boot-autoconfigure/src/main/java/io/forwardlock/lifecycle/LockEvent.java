package io.forwardlock.lifecycle;

import java.util.Objects;

import org.springframework.context.ApplicationEvent;

/**
 * Base class of the events that the {@link ForwardLockLifecycle} publishes when the
 * instance lock changes hands. Each event carries the {@link LockStatus} as it was when
 * the event happened.
 */
public abstract class LockEvent extends ApplicationEvent {

	private final LockStatus status;

	/**
	 * Create a new event.
	 * @param source the component that published the event
	 * @param status the lock status when the event happened
	 */
	protected LockEvent(Object source, LockStatus status) {
		super(source);
		this.status = Objects.requireNonNull(status, "'status' must not be null");
	}

	/**
	 * Lock status when the event happened.
	 * @return the status
	 */
	public LockStatus getStatus() {
		return this.status;
	}

	/**
	 * Name of the lock.
	 * @return the lock name
	 */
	public String getLockName() {
		return this.status.lockName();
	}

}
