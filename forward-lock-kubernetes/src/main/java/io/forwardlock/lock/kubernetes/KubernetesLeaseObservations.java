package io.forwardlock.lock.kubernetes;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import org.jspecify.annotations.Nullable;

/**
 * What a contender last saw of each Lease, to judge expiry the client-go way: on its own
 * monotonic clock, from the moment it first saw the Lease's current
 * {@code resourceVersion}, never from the holder's {@code renewTime}. Every renewal
 * changes the version, so a live holder is never judged expired, whatever the clocks of
 * the nodes say.
 */
final class KubernetesLeaseObservations {

	/**
	 * Duration assumed for a Lease that carries none (written by another tool): the
	 * longest that Kubernetes' own components use, rather than taking it over at once.
	 */
	private static final Duration UNKNOWN_DURATION = Duration.ofSeconds(60);

	private final Map<String, Observation> observations = new ConcurrentHashMap<>();

	private final LongSupplier nanoTime;

	KubernetesLeaseObservations(LongSupplier nanoTime) {
		this.nanoTime = nanoTime;
	}

	long nanoTime() {
		return this.nanoTime.getAsLong();
	}

	/**
	 * Whether a held Lease has expired: its {@code resourceVersion} stayed the same for
	 * its {@code leaseDurationSeconds}, measured since this contender first saw that
	 * version.
	 * @param name the Lease name
	 * @param current the Lease as just read
	 * @param now {@link #nanoTime()} taken before it was read
	 */
	boolean hasExpired(String name, Lease current, long now) {
		String version = current.getMetadata().getResourceVersion();
		Integer seconds = (current.getSpec() != null) ? current.getSpec().getLeaseDurationSeconds() : null;
		long durationNanos = ((seconds != null && seconds > 0) ? Duration.ofSeconds(seconds) : UNKNOWN_DURATION)
			.toNanos();
		Observation seen = this.observations.compute(name,
				(key, previous) -> (previous != null && previous.resourceVersion().equals(version)) ? previous
						: new Observation(version, now, durationNanos));
		return now - seen.seenAt() >= seen.durationNanos();
	}

	/**
	 * Nanoseconds until what was last seen of a Lease expires, unless it changes.
	 */
	long nanosUntilExpiry(String name) {
		Observation seen = this.observations.get(name);
		if (seen == null) {
			return Long.MAX_VALUE;
		}
		return seen.durationNanos() - (this.nanoTime.getAsLong() - seen.seenAt());
	}

	/**
	 * What was last seen of a Lease: the same object for as long as its version stays.
	 */
	@Nullable Object lastSeen(String name) {
		return this.observations.get(name);
	}

	/**
	 * Forget a Lease, after this process wrote it or lost a race for it.
	 */
	void forget(String name) {
		this.observations.remove(name);
	}

	/**
	 * A {@code resourceVersion}, when this contender first saw it, and the Lease duration
	 * it carried.
	 */
	private record Observation(String resourceVersion, long seenAt, long durationNanos) {

	}

}
