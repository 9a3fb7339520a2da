package io.forwardlock.actuate.metrics;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

import io.forwardlock.actuate.metrics.ForwardLockMetrics.AcquireOutcome;
import io.forwardlock.lifecycle.LockAcquireFailedEvent;
import io.forwardlock.lifecycle.LockAcquiredEvent;
import io.forwardlock.lifecycle.LockEvent;
import io.forwardlock.lifecycle.LockHeartbeatFailedEvent;
import io.forwardlock.lifecycle.LockLostEvent;
import io.forwardlock.lock.LockErrorType;

import org.springframework.context.ApplicationListener;

/**
 * Feeds {@link ForwardLockMetrics} from the lifecycle's {@link LockEvent lock events}.
 * <p>
 * An acquisition is timed by the lifecycle itself and carried by the event, so a lock
 * taken early ({@code forward.lock.acquire-early}) is measured from its first attempt
 * even though no meter registry existed then.
 */
public class ForwardLockMetricsListener implements ApplicationListener<LockEvent> {

	/**
	 * Failures that mean another instance holds the lock, as opposed to a broken backend.
	 */
	private static final Set<LockErrorType> REFUSALS = EnumSet.of(LockErrorType.INSTANCE_RUNNING,
			LockErrorType.MAX_RETRIES_EXCEEDED, LockErrorType.RACE_CONDITION);

	private final ForwardLockMetrics metrics;

	/**
	 * Create a new instance.
	 * @param metrics the metrics to feed
	 */
	public ForwardLockMetricsListener(ForwardLockMetrics metrics) {
		this.metrics = Objects.requireNonNull(metrics, "'metrics' must not be null");
	}

	@Override
	public void onApplicationEvent(LockEvent event) {
		if (event instanceof LockAcquiredEvent acquired) {
			this.metrics.recordAcquire(AcquireOutcome.ACQUIRED, durationOf(acquired.getAcquireDuration()));
		}
		else if (event instanceof LockAcquireFailedEvent failed) {
			this.metrics.recordAcquire(outcomeOf(failed), durationOf(failed.getAcquireDuration()));
		}
		else if (event instanceof LockLostEvent) {
			this.metrics.recordLost();
		}
		else if (event instanceof LockHeartbeatFailedEvent) {
			this.metrics.recordHeartbeatFailure();
		}
	}

	private static AcquireOutcome outcomeOf(LockAcquireFailedEvent event) {
		boolean refused = event.getReason() != null && REFUSALS.contains(event.getReason().getType());
		return refused ? AcquireOutcome.REFUSED : AcquireOutcome.FAILED;
	}

	private static Duration durationOf(Duration duration) {
		return (duration != null) ? duration : Duration.ZERO;
	}

}
