package io.forwardlock.lock.kubernetes;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

/**
 * The two ways {@link KubernetesLeaseBackend} waits on a held Lease: watching it long
 * enough to tell a live holder from a crashed one, and waiting as a standby until it is
 * free. Both wake up right when what was seen of the Lease would expire, so that a
 * takeover follows expiry without waiting out a whole pause.
 */
final class KubernetesLeaseWaits {

	private final KubernetesLeaseBackend backend;

	private final KubernetesLeaseObservations observations;

	KubernetesLeaseWaits(KubernetesLeaseBackend backend, KubernetesLeaseObservations observations) {
		this.backend = backend;
		this.observations = observations;
	}

	/**
	 * See {@link KubernetesLeaseBackend#tryAcquireDecisively(LockRequest)}.
	 */
	Optional<LockLease> decisively(LockRequest request) throws InterruptedException {
		String name = this.backend.leaseName(request);
		Optional<LockLease> lease = this.backend.tryAcquire(request);
		Object watched = this.observations.lastSeen(name);
		long interval = watchInterval(request).toNanos();
		while (lease.isEmpty()) {
			Object seen = this.observations.lastSeen(name);
			if (seen == null || seen != watched) {
				// Created by somebody else since we looked, taken over by another
				// contender, or renewed: a live holder
				return Optional.empty();
			}
			pause(Math.min(interval, this.observations.nanosUntilExpiry(name)));
			lease = this.backend.tryAcquire(request);
		}
		return lease;
	}

	/**
	 * See {@link KubernetesLeaseBackend#acquireBlocking(LockRequest, Duration)}.
	 */
	LockLease untilFree(LockRequest request, Duration pollInterval) throws InterruptedException {
		String name = this.backend.leaseName(request);
		while (true) {
			try {
				Optional<LockLease> lease = this.backend.tryAcquire(request);
				if (lease.isPresent()) {
					return lease.get();
				}
			}
			catch (LockException ex) {
				if (ex.getType() != LockErrorType.BACKEND_UNAVAILABLE) {
					throw ex;
				}
			}
			pause(Math.min(pollInterval.toNanos(), this.observations.nanosUntilExpiry(name)));
		}
	}

	private static void pause(long nanos) throws InterruptedException {
		if (Thread.interrupted()) {
			throw new InterruptedException();
		}
		TimeUnit.NANOSECONDS.sleep(Math.max(1_000_000, nanos));
	}

	/**
	 * Pause between two reads of a held Lease while watching it: a quarter of the
	 * heartbeat interval (the holder renews at that interval when it runs with the same
	 * settings), between 50 ms and one second.
	 */
	static Duration watchInterval(LockRequest request) {
		Duration quarter = request.heartbeatInterval().dividedBy(4);
		Duration min = Duration.ofMillis(50);
		Duration max = Duration.ofSeconds(1);
		return (quarter.compareTo(min) < 0) ? min : (quarter.compareTo(max) > 0) ? max : quarter;
	}

}
