package io.forwardlock.lifecycle;

/**
 * Published when a heartbeat could not be written. The lock is not lost yet: the
 * lifecycle keeps trying until the stale timeout has passed since the last successful
 * heartbeat, and only then publishes a {@link LockLostEvent}.
 */
public class LockHeartbeatFailedEvent extends LockEvent {

	private final RuntimeException cause;

	private final int consecutiveFailures;

	/**
	 * Create a new event.
	 * @param source the publisher
	 * @param status the status after the failure
	 * @param cause why the heartbeat failed
	 * @param consecutiveFailures failures in a row, including this one
	 */
	public LockHeartbeatFailedEvent(Object source, LockStatus status, RuntimeException cause, int consecutiveFailures) {
		super(source, status);
		this.cause = cause;
		this.consecutiveFailures = consecutiveFailures;
	}

	/**
	 * Why the heartbeat failed.
	 * @return the failure
	 */
	public RuntimeException getCause() {
		return this.cause;
	}

	/**
	 * Number of failed heartbeats in a row, including this one.
	 * @return the count
	 */
	public int getConsecutiveFailures() {
		return this.consecutiveFailures;
	}

}
