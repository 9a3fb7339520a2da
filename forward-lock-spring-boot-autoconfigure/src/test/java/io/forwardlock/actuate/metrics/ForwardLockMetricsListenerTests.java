package io.forwardlock.actuate.metrics;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.forwardlock.actuate.TestLockStatuses;
import io.forwardlock.actuate.TestLockStatuses.MutableLockStatusProvider;
import io.forwardlock.lifecycle.LockAcquireFailedEvent;
import io.forwardlock.lifecycle.LockAcquiredEvent;
import io.forwardlock.lifecycle.LockHeartbeatFailedEvent;
import io.forwardlock.lifecycle.LockLostEvent;
import io.forwardlock.lifecycle.LockReleasedEvent;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardLockMetricsListener}.
 */
@Timeout(10)
class ForwardLockMetricsListenerTests {

	private final ForwardLockMetrics metrics = new ForwardLockMetrics(
			new MutableLockStatusProvider(TestLockStatuses.acquired()));

	private final ForwardLockMetricsListener listener = new ForwardLockMetricsListener(this.metrics);

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	@BeforeEach
	void bind() {
		this.metrics.bindTo(this.registry);
	}

	@Test
	void acquiredEventRecordsItsAcquireDuration() {
		this.listener.onApplicationEvent(
				new LockAcquiredEvent(this, TestLockStatuses.acquired(), Duration.ofMillis(1500), 3, false));
		assertThat(this.registry.get("forward.lock.acquire")
			.tag("outcome", "acquired")
			.timer()
			.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1500.0);
	}

	@Test
	void acquireFailedBecauseAnotherInstanceRunsIsRefused() {
		this.listener.onApplicationEvent(failed(LockErrorType.INSTANCE_RUNNING));
		this.listener.onApplicationEvent(failed(LockErrorType.MAX_RETRIES_EXCEEDED));
		assertThat(this.registry.get("forward.lock.acquire").tag("outcome", "refused").timer().count()).isEqualTo(2);
	}

	@Test
	void acquireFailedBecauseOfTheBackendIsFailed() {
		this.listener.onApplicationEvent(failed(LockErrorType.PERMISSION_DENIED));
		this.listener.onApplicationEvent(failed(LockErrorType.BACKEND_UNAVAILABLE));
		assertThat(this.registry.get("forward.lock.acquire").tag("outcome", "failed").timer().count()).isEqualTo(2);
	}

	@Test
	void lostEventCountsALoss() {
		this.listener.onApplicationEvent(new LockLostEvent(this, TestLockStatuses.lost(), "replaced", null));
		assertThat(this.registry.get("forward.lock.lost").functionCounter().count()).isEqualTo(1.0);
	}

	@Test
	void heartbeatFailedEventCountsAFailure() {
		this.listener.onApplicationEvent(new LockHeartbeatFailedEvent(this, TestLockStatuses.acquired(),
				new IllegalStateException("disk full"), 1));
		this.listener.onApplicationEvent(new LockHeartbeatFailedEvent(this, TestLockStatuses.acquired(),
				new IllegalStateException("disk full"), 2));
		assertThat(this.registry.get("forward.lock.heartbeat.failures").functionCounter().count()).isEqualTo(2.0);
	}

	@Test
	void releasedEventChangesNoCounter() {
		this.listener.onApplicationEvent(new LockReleasedEvent(this, TestLockStatuses.acquired(), Duration.ofHours(1)));
		assertThat(this.registry.find("forward.lock.acquire").timers()).isEmpty();
		assertThat(this.registry.get("forward.lock.lost").functionCounter().count()).isZero();
		assertThat(this.registry.get("forward.lock.heartbeat.failures").functionCounter().count()).isZero();
	}

	private LockAcquireFailedEvent failed(LockErrorType type) {
		LockException reason = new LockException(type, "could not lock", null, "/var/lock/billing.lock", List.of(),
				null);
		return new LockAcquireFailedEvent(this, TestLockStatuses.notStarted(), Duration.ofMillis(10), 1, reason);
	}

}
