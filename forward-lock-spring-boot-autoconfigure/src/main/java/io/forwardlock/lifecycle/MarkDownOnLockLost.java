package io.forwardlock.lifecycle;

import java.util.Objects;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;

/**
 * {@link LockLostHandler} for {@code on-lost=mark-down}: the guarded work has stopped;
 * mark the application as refusing traffic and keep the process and its management
 * endpoints up, so that an orchestrator can take it out of rotation and operators can
 * inspect it.
 */
public class MarkDownOnLockLost implements LockLostHandler {

	private static final Log logger = LogFactory.getLog(MarkDownOnLockLost.class);

	private final ApplicationEventPublisher publisher;

	/**
	 * Create a new instance.
	 * @param publisher where to publish the availability change
	 */
	public MarkDownOnLockLost(ApplicationEventPublisher publisher) {
		this.publisher = Objects.requireNonNull(publisher, "'publisher' must not be null");
	}

	@Override
	public void lockLost(LockLostEvent event) {
		logger.error("Marking the application as refusing traffic because lock '" + event.getLockName()
				+ "' was lost; the guarded work is stopped and the process keeps running "
				+ "(forward.lock.on-lost=mark-down)");
		AvailabilityChangeEvent.publish(this.publisher, event.getSource(), ReadinessState.REFUSING_TRAFFIC);
	}

}
