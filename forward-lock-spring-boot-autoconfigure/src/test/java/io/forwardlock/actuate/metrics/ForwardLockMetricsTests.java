package io.forwardlock.actuate.metrics;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.forwardlock.actuate.TestLockStatuses;
import io.forwardlock.actuate.TestLockStatuses.MutableLockStatusProvider;
import io.forwardlock.actuate.metrics.ForwardLockMetrics.AcquireOutcome;
import io.forwardlock.lifecycle.LockState;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardLockMetrics}.
 */
@Timeout(10)
class ForwardLockMetricsTests {

	private final MutableLockStatusProvider statusProvider = new MutableLockStatusProvider(TestLockStatuses.acquired());

	private final ForwardLockMetrics metrics = new ForwardLockMetrics(this.statusProvider);

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	@Test
	void heldGaugeFollowsTheLockState() {
		this.metrics.bindTo(this.registry);
		assertThat(this.registry.get("forward.lock.held").gauge().value()).isEqualTo(1.0);
		this.statusProvider.setStatus(TestLockStatuses.lost());
		assertThat(this.registry.get("forward.lock.held").gauge().value()).isEqualTo(0.0);
		this.statusProvider.setStatus(TestLockStatuses.withVerification(LockState.STANDBY, null));
		assertThat(this.registry.get("forward.lock.held").gauge().value()).isEqualTo(0.0);
	}

	@Test
	void acquisitionRecordedBeforeBindingIsReplayedIntoTheTimer() {
		this.metrics.recordAcquire(AcquireOutcome.ACQUIRED, Duration.ofMillis(250));
		this.metrics.bindTo(this.registry);
		Timer timer = this.registry.get("forward.lock.acquire").tag("outcome", "acquired").timer();
		assertThat(timer.count()).isEqualTo(1);
		assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(250.0);
	}

	@Test
	void acquisitionRecordedAfterBindingIsTaggedWithItsOutcome() {
		this.metrics.bindTo(this.registry);
		this.metrics.recordAcquire(AcquireOutcome.REFUSED, Duration.ofSeconds(3));
		this.metrics.recordAcquire(AcquireOutcome.ACQUIRED, Duration.ofMillis(5));
		assertThat(
				this.registry.get("forward.lock.acquire").tag("outcome", "refused").timer().totalTime(TimeUnit.SECONDS))
			.isEqualTo(3.0);
		assertThat(this.registry.get("forward.lock.acquire").tag("outcome", "acquired").timer().count()).isEqualTo(1);
	}

	@Test
	void everyBoundRegistryGetsEveryAcquisitionOnce() {
		SimpleMeterRegistry second = new SimpleMeterRegistry();
		this.metrics.recordAcquire(AcquireOutcome.FAILED, Duration.ofMillis(1));
		this.metrics.bindTo(this.registry);
		this.metrics.recordAcquire(AcquireOutcome.ACQUIRED, Duration.ofMillis(2));
		this.metrics.bindTo(second);
		for (SimpleMeterRegistry each : new SimpleMeterRegistry[] { this.registry, second }) {
			assertThat(each.get("forward.lock.acquire").tag("outcome", "failed").timer().count()).isEqualTo(1);
			assertThat(each.get("forward.lock.acquire").tag("outcome", "acquired").timer().count()).isEqualTo(1);
		}
	}

	@Test
	void keptAcquisitionsAreCapped() {
		for (int i = 0; i < 150; i++) {
			this.metrics.recordAcquire(AcquireOutcome.REFUSED, Duration.ofMillis(1));
		}
		this.metrics.bindTo(this.registry);
		assertThat(this.registry.get("forward.lock.acquire").timer().count()).isEqualTo(100);
	}

	@Test
	void countersIncludeEventsFromBeforeBinding() {
		this.metrics.recordLost();
		this.metrics.recordHeartbeatFailure();
		this.metrics.bindTo(this.registry);
		this.metrics.recordHeartbeatFailure();
		assertThat(this.registry.get("forward.lock.lost").functionCounter().count()).isEqualTo(1.0);
		assertThat(this.registry.get("forward.lock.heartbeat.failures").functionCounter().count()).isEqualTo(2.0);
	}

	@Test
	void outcomeTagValuesAreLowerCase() {
		assertThat(AcquireOutcome.REFUSED.tagValue()).isEqualTo("refused");
	}

}
