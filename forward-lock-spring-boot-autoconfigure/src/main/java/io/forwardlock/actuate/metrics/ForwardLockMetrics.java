package io.forwardlock.actuate.metrics;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import io.forwardlock.lifecycle.LockState;
import io.forwardlock.lifecycle.LockStatusProvider;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Micrometer meters of the instance lock:
 * <ul>
 * <li>{@value #HELD}: gauge, 1 while this instance holds the lock, else 0;</li>
 * <li>{@value #ACQUIRE}: timer of acquisitions, tagged with their {@code outcome};</li>
 * <li>{@value #LOST}: counter of locks lost at runtime;</li>
 * <li>{@value #HEARTBEAT_FAILURES}: counter of heartbeats that could not be written.</li>
 * </ul>
 * The lock may be taken before any {@link MeterRegistry} exists (with
 * {@code forward.lock.acquire-early}), so this binder keeps what it is told and hands it
 * to every registry it is bound to later: counters read its own totals, and recent
 * acquisitions are replayed into the timer.
 */
public class ForwardLockMetrics implements MeterBinder {

	/**
	 * Name of the gauge that tells whether this instance holds the lock.
	 */
	public static final String HELD = "forward.lock.held";

	/**
	 * Name of the timer of lock acquisitions.
	 */
	public static final String ACQUIRE = "forward.lock.acquire";

	/**
	 * Name of the counter of lost locks.
	 */
	public static final String LOST = "forward.lock.lost";

	/**
	 * Name of the counter of failed heartbeats.
	 */
	public static final String HEARTBEAT_FAILURES = "forward.lock.heartbeat.failures";

	/**
	 * Acquisitions kept for registries bound later. An application acquires its lock a
	 * handful of times, so this only caps a pathological loop.
	 */
	private static final int MAX_KEPT_ACQUISITIONS = 100;

	private final LockStatusProvider statusProvider;

	private final AtomicLong lost = new AtomicLong();

	private final AtomicLong heartbeatFailures = new AtomicLong();

	private final Object monitor = new Object();

	private final Deque<Acquisition> acquisitions = new ArrayDeque<>();

	private final List<MeterRegistry> registries = new ArrayList<>();

	/**
	 * Create a new instance.
	 * @param statusProvider source of the lock snapshot, read by the {@value #HELD} gauge
	 */
	public ForwardLockMetrics(LockStatusProvider statusProvider) {
		this.statusProvider = Objects.requireNonNull(statusProvider, "'statusProvider' must not be null");
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder(HELD, this, ForwardLockMetrics::held)
			.description("Whether this instance holds the lock (1) or not (0)")
			.strongReference(true)
			.register(registry);
		FunctionCounter.builder(LOST, this.lost, AtomicLong::doubleValue)
			.description("Number of times this instance lost the lock at runtime")
			.register(registry);
		FunctionCounter.builder(HEARTBEAT_FAILURES, this.heartbeatFailures, AtomicLong::doubleValue)
			.description("Number of heartbeats that could not be written")
			.register(registry);
		synchronized (this.monitor) {
			this.registries.add(registry);
			for (Acquisition acquisition : this.acquisitions) {
				acquisition.recordTo(registry);
			}
		}
	}

	/**
	 * Record the end of an attempt to acquire the lock.
	 * @param outcome how the attempt ended
	 * @param duration how long it took, from the first try to the outcome
	 */
	public void recordAcquire(AcquireOutcome outcome, Duration duration) {
		Acquisition acquisition = new Acquisition(Objects.requireNonNull(outcome, "'outcome' must not be null"),
				Objects.requireNonNull(duration, "'duration' must not be null"));
		synchronized (this.monitor) {
			if (this.acquisitions.size() == MAX_KEPT_ACQUISITIONS) {
				this.acquisitions.removeFirst();
			}
			this.acquisitions.addLast(acquisition);
			for (MeterRegistry registry : this.registries) {
				acquisition.recordTo(registry);
			}
		}
	}

	/**
	 * Record that the lock was lost at runtime.
	 */
	public void recordLost() {
		this.lost.incrementAndGet();
	}

	/**
	 * Record that a heartbeat could not be written.
	 */
	public void recordHeartbeatFailure() {
		this.heartbeatFailures.incrementAndGet();
	}

	private double held() {
		return (this.statusProvider.getStatus().state() == LockState.ACQUIRED) ? 1 : 0;
	}

	/**
	 * How an attempt to acquire the lock ended, the {@code outcome} tag of
	 * {@value #ACQUIRE}.
	 */
	public enum AcquireOutcome {

		/**
		 * The lock was acquired.
		 */
		ACQUIRED,

		/**
		 * Another instance holds the lock and this one gave up.
		 */
		REFUSED,

		/**
		 * The backend failed, for example an I/O error, an unsafe lock file or an
		 * unreachable database.
		 */
		FAILED;

		/**
		 * Value of the {@code outcome} tag.
		 * @return the lower-case tag value
		 */
		public String tagValue() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

	private record Acquisition(AcquireOutcome outcome, Duration duration) {

		void recordTo(MeterRegistry registry) {
			Timer.builder(ACQUIRE)
				.description("Time taken to acquire the lock, or to give up")
				.tag("outcome", this.outcome.tagValue())
				.register(registry)
				.record(this.duration);
		}

	}

}
