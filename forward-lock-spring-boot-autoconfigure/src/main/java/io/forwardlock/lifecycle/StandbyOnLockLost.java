package io.forwardlock.lifecycle;

import java.util.Objects;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;

/**
 * {@link LockLostHandler} for {@code on-lost=standby}: the guarded work has stopped; mark
 * the application as refusing traffic, wait on standby for the lock again, and once it is
 * held, start the guarded work again and accept traffic.
 */
public class StandbyOnLockLost implements LockLostHandler {

	private static final Log logger = LogFactory.getLog(StandbyOnLockLost.class);

	private final ApplicationEventPublisher publisher;

	/**
	 * Create a new instance.
	 * @param publisher where to publish the availability changes
	 */
	public StandbyOnLockLost(ApplicationEventPublisher publisher) {
		this.publisher = Objects.requireNonNull(publisher, "'publisher' must not be null");
	}

	@Override
	public void lockLost(LockLostEvent event) {
		AvailabilityChangeEvent.publish(this.publisher, event.getSource(), ReadinessState.REFUSING_TRAFFIC);
		if (!(event.getSource() instanceof ForwardLockLifecycle lifecycle)) {
			logger.error("Lock '" + event.getLockName() + "' was lost and cannot be waited for again: the event "
					+ "does not come from a ForwardLockLifecycle");
			return;
		}
		logger.warn("Lock '" + event.getLockName() + "' was lost; the guarded work is stopped and this instance "
				+ "waits on standby to take the lock over again (forward.lock.on-lost=standby)");
		lifecycle.standBy(
				() -> AvailabilityChangeEvent.publish(this.publisher, lifecycle, ReadinessState.ACCEPTING_TRAFFIC));
	}

}
