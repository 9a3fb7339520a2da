package io.forwardlock.lifecycle;

import java.util.Objects;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;

/**
 * Keeps the application refusing traffic while its lock is lost, when the lifecycle's
 * {@link LockLostHandler} is one that marks the application down
 * ({@link MarkDownOnLockLost}, {@link StandbyOnLockLost}): whenever
 * {@link ReadinessState#ACCEPTING_TRAFFIC} is published while the lock is lost or waited
 * for on standby, publishes {@link ReadinessState#REFUSING_TRAFFIC} again.
 * {@code SpringApplication} publishes {@code ACCEPTING_TRAFFIC} once the application is
 * ready, whatever happened before: without this, a lock lost during start-up would leave
 * an instance without its lock with its health down but its readiness up. A handler of
 * the application's own decides readiness itself.
 * <p>
 * The readiness probe reports the last state that Boot's {@link ApplicationAvailability}
 * bean recorded, so this listener must be called after that bean. Listeners of equal
 * order are called in the order they were initialized: the auto-configuration initializes
 * the {@code ApplicationAvailability} bean before this one.
 */
public class LockLostReadiness implements ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {

	private static final Log logger = LogFactory.getLog(LockLostReadiness.class);

	private final ForwardLockLifecycle lifecycle;

	private final ApplicationEventPublisher publisher;

	/**
	 * Create a new instance.
	 * @param lifecycle the lifecycle whose lock and lost-lock handler decide
	 * @param publisher where to publish the availability change
	 */
	public LockLostReadiness(ForwardLockLifecycle lifecycle, ApplicationEventPublisher publisher) {
		this.lifecycle = Objects.requireNonNull(lifecycle, "'lifecycle' must not be null");
		this.publisher = Objects.requireNonNull(publisher, "'publisher' must not be null");
	}

	@Override
	public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> event) {
		if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC && marksDown() && isLost()) {
			LockStatus status = this.lifecycle.getStatus();
			logger.warn("Refusing traffic again: lock '" + status.lockName() + "' is " + status.state()
					+ " and the application was marked ready meanwhile");
			AvailabilityChangeEvent.publish(this.publisher, this.lifecycle, ReadinessState.REFUSING_TRAFFIC);
		}
	}

	private boolean marksDown() {
		LockLostHandler handler = this.lifecycle.keeper().reporter().lostHandler();
		return handler instanceof MarkDownOnLockLost || handler instanceof StandbyOnLockLost;
	}

	/**
	 * Whether the lock was lost and is not held again: lost, or waited for on standby
	 * after the loss (the application is not marked ready while it waits at start-up).
	 */
	private boolean isLost() {
		LockState state = this.lifecycle.getStatus().state();
		return state == LockState.LOST || state == LockState.STANDBY;
	}

}
