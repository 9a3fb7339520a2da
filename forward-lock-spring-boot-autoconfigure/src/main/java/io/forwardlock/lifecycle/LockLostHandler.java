package io.forwardlock.lifecycle;

/**
 * Reaction to a lock that was lost at runtime. Called once per loss, on the lifecycle's
 * scheduler thread, after the {@link LockLostEvent} has been published. Define a bean of
 * this type to replace the reaction selected by {@code forward.lock.on-lost}.
 */
@FunctionalInterface
public interface LockLostHandler {

	/**
	 * React to the loss.
	 * @param event the event describing the loss
	 */
	void lockLost(LockLostEvent event);

}
