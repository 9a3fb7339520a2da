package io.forwardlock.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import io.forwardlock.diagnostics.LockStartupException;
import io.forwardlock.diagnostics.PropertyWords;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.Verification;
import io.forwardlock.lock.watch.LockWatchdog;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Turns what happens to the lock into the {@link LockStatus} snapshot, log lines, counts
 * and events, and runs the reaction to a loss: the guarded work stops first, then the
 * {@link LockLostEvent} is published and the {@link LockLostHandler} called.
 */
final class LockReporter implements LockWatchdog.Listener {

	private static final Log logger = LogFactory.getLog(ForwardLockLifecycle.class);

	private final ForwardLockLifecycle source;

	private final LockLostHandler lostHandler;

	private final AtomicReference<LockStatus> status;

	final AtomicLong lostCount = new AtomicLong();

	final AtomicLong heartbeatFailureCount = new AtomicLong();

	final AtomicLong acquireFailureCount = new AtomicLong();

	volatile ApplicationEventPublisher publisher = (event) -> {
	};

	volatile GuardedLifecycles guarded;

	LockReporter(ForwardLockLifecycle source, LockLostHandler lostHandler, LockStatus initial) {
		this.source = source;
		this.lostHandler = lostHandler;
		this.status = new AtomicReference<>(initial);
	}

	LockStatus status() {
		return this.status.get();
	}

	LockLostHandler lostHandler() {
		return this.lostHandler;
	}

	LockStatus update(UnaryOperator<LockStatus> change) {
		return this.status.updateAndGet(change);
	}

	void standby(HolderRecord holder) {
		update((s) -> s.withHolder(LockState.STANDBY, holder));
	}

	void acquireFailed(LockStartupException ex, Duration took, int attempts) {
		this.acquireFailureCount.incrementAndGet();
		LockStatus failed = update((s) -> s.withHolder(LockState.NOT_STARTED, ex.getHolder()));
		publish(new LockAcquireFailedEvent(this.source, failed, took, attempts, ex.getFailure()));
	}

	void acquired(LockAcquisition acquisition, String schedule) {
		LockLease lease = acquisition.lease();
		OptionalLong token = lease.fencingToken();
		LockStatus held = update(
				(s) -> s.withAcquisition(lease.holder(), token.isPresent() ? token.getAsLong() : null));
		logger.info(String.format("Acquired lock '%s' at %s (backend %s, %s) in %d ms; %s", lease.lockName(),
				lease.location(), lease.backendId(), lease.holder().describe(), acquisition.duration().toMillis(),
				schedule));
		publish(new LockAcquiredEvent(this.source, held, acquisition.duration(), acquisition.attempts(),
				acquisition.afterStandby()));
	}

	void released(LockLease lease, Instant since) {
		if (status().state() != LockState.LOST) {
			LockStatus released = update((s) -> s.withState(LockState.RELEASED));
			logger.info("Released lock '" + lease.lockName() + "' at " + lease.location());
			publish(new LockReleasedEvent(this.source, released,
					(since != null) ? Duration.between(since, Instant.now()) : null));
		}
	}

	@Override
	public void verified(Verification verification) {
		LockStatus current = update((s) -> s.withVerification(verification));
		if (verification.status() == Verification.Status.HEALED) {
			logger.warn("Lock '" + current.lockName() + "' was repaired and is still held by this instance: "
					+ verification.detail());
		}
	}

	@Override
	public void renewed(Instant at) {
		update((s) -> s.withHeartbeatAt(at));
	}

	@Override
	public void heartbeatFailed(RuntimeException failure, int inARow) {
		this.heartbeatFailureCount.incrementAndGet();
		publish(new LockHeartbeatFailedEvent(this.source, status(), failure, inARow));
	}

	@Override
	public void failing(String action, String reason, Duration tolerance) {
		logger.warn(
				String.format("Could not %s lock '%s' (%s); retrying, the lock counts as lost after %s without success",
						action, status().lockName(), reason, tolerance));
	}

	@Override
	public void lost(String detail, HolderRecord newHolder) {
		this.lostCount.incrementAndGet();
		LockStatus lostStatus = update((s) -> s.withState(LockState.LOST));
		logger.error(PropertyWords.message(LockErrors.lockLost(lostStatus.location(), detail, newHolder)));
		GuardedLifecycles work = this.guarded;
		if (work != null) {
			work.stop();
		}
		LockLostEvent event = new LockLostEvent(this.source, lostStatus, detail, newHolder);
		publish(event);
		this.lostHandler.lockLost(event);
	}

	void publish(ApplicationEvent event) {
		try {
			this.publisher.publishEvent(event);
		}
		catch (RuntimeException ex) {
			logger.warn("A listener failed to handle " + event.getClass().getSimpleName(), ex);
		}
	}

}
