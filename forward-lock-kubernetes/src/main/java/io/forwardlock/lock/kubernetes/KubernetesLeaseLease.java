package io.forwardlock.lock.kubernetes;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClientException;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;

/**
 * Lease granted by {@link KubernetesLeaseBackend}: one acquisition of a Kubernetes
 * {@code Lease}, identified by its instance id and fencing token.
 * <p>
 * It counts as lost once the stale timeout has passed, on this JVM's monotonic clock,
 * since its last successful renewal was sent; no call to the API server is waited for
 * beyond that deadline. Contenders may take over only a full {@code leaseDurationSeconds}
 * (the stale timeout rounded up) after they saw that renewal, so this lease always gives
 * up first.
 */
final class KubernetesLeaseLease implements LockLease {

	private final KubernetesLeaseBackend backend;

	private final LockRequest request;

	private final String leaseName;

	private final long token;

	private final HolderRecord holder;

	private final long leaseNanos;

	private final Object writeMonitor = new Object();

	private final AtomicBoolean released = new AtomicBoolean();

	private final AtomicReference<Lost> lost = new AtomicReference<>();

	/**
	 * The Lease as last written or read by this holder; its {@code resourceVersion}
	 * guards the next write.
	 */
	private volatile Lease current;

	private volatile long confirmedAt;

	KubernetesLeaseLease(KubernetesLeaseBackend backend, LockRequest request, String leaseName, Lease current,
			long token, HolderRecord holder, long confirmedAt) {
		this.backend = backend;
		this.request = request;
		this.leaseName = leaseName;
		this.current = current;
		this.token = token;
		this.holder = holder;
		this.leaseNanos = request.staleTimeout().toNanos();
		this.confirmedAt = confirmedAt;
	}

	@Override
	public String lockName() {
		return this.request.name();
	}

	@Override
	public String backendId() {
		return KubernetesLeaseBackend.ID;
	}

	@Override
	public String location() {
		return this.backend.describeLocation(this.request);
	}

	@Override
	public HolderRecord holder() {
		return this.holder;
	}

	@Override
	public OptionalLong fencingToken() {
		return OptionalLong.of(this.token);
	}

	/**
	 * Prove the lease from the API server, or from the local deadline when that has
	 * passed.
	 * @return {@link Verification.Status#HELD} or {@link Verification.Status#LOST}
	 * @throws LockException with {@link LockErrorType#BACKEND_UNAVAILABLE} when the API
	 * server cannot be reached and the local deadline has not passed yet
	 */
	@Override
	public Verification verify() {
		if (this.released.get()) {
			return Verification.lost("the lease was released", null);
		}
		if (checkLocalDeadline()) {
			return this.lost.get().verification();
		}
		Lease seen;
		try {
			seen = beforeDeadline(() -> this.backend.read(this.leaseName));
		}
		catch (KubernetesClientException ex) {
			if (checkLocalDeadline()) {
				return this.lost.get().verification();
			}
			throw this.backend.error(this.request, this.leaseName, "verify the Lease", ex);
		}
		if (this.backend.isHeldBy(seen, this.holder.instanceId(), this.token)) {
			return Verification.held();
		}
		markLost(seen, "verifying it");
		return this.lost.get().verification();
	}

	/**
	 * Renew the Lease, guarded by the {@code resourceVersion} this holder last saw.
	 * @throws LockException with {@link LockErrorType#LOCK_LOST} when the lease is lost,
	 * or {@link LockErrorType#BACKEND_UNAVAILABLE} when the API server cannot be reached
	 * (retry until {@link #verify()} reports the lease lost)
	 */
	@Override
	public void heartbeat() {
		synchronized (this.writeMonitor) {
			if (this.released.get()) {
				return;
			}
			if (checkLocalDeadline()) {
				throw lostException();
			}
			long sentAt = this.backend.nanoTime();
			Lease renewed;
			try {
				renewed = beforeDeadline(() -> renewOrReadBack());
			}
			catch (KubernetesClientException ex) {
				if (checkLocalDeadline()) {
					throw lostException();
				}
				throw this.backend.error(this.request, this.leaseName, "renew the Lease", ex);
			}
			if (renewed == null) {
				throw lostException();
			}
			if (this.lost.get() != null) {
				// verify() declared the lease lost while the renewal was on its way: stay
				// lost.
				throw lostException();
			}
			this.current = renewed;
			this.confirmedAt = sentAt;
		}
	}

	/**
	 * Renew; when the Lease changed since this holder last saw it, read it back and, if
	 * it is still this acquisition's (somebody only added a label, say), renew once more
	 * on the version read.
	 * @return the renewed Lease, or {@code null} when it is lost
	 */
	private Lease renewOrReadBack() {
		try {
			return this.backend.renew(this.current);
		}
		catch (KubernetesClientException ex) {
			if (ex.getCode() != 409 && ex.getCode() != 404) {
				throw ex;
			}
		}
		Lease seen = this.backend.read(this.leaseName);
		if (!this.backend.isHeldBy(seen, this.holder.instanceId(), this.token)) {
			markLost(seen, "renewing it");
			return null;
		}
		try {
			return this.backend.renew(seen);
		}
		catch (KubernetesClientException ex) {
			if (ex.getCode() != 409 && ex.getCode() != 404) {
				throw ex;
			}
			markLost(null, "renewing it, twice in a row");
			return null;
		}
	}

	@Override
	public boolean isReleased() {
		return this.released.get();
	}

	/**
	 * Clear the holder of the Lease, if it is still this acquisition's, so that a standby
	 * takes over at once. Idempotent, from any thread.
	 * @throws LockException with {@link LockErrorType#RELEASE_FAILED} when the API server
	 * could not be reached; the Lease then expires by itself
	 */
	@Override
	public void release() {
		if (!this.released.compareAndSet(false, true)) {
			return;
		}
		synchronized (this.writeMonitor) {
			if (this.lost.get() != null) {
				return;
			}
			try {
				try {
					this.backend.clearHolder(this.current);
				}
				catch (KubernetesClientException ex) {
					if (ex.getCode() != 409) {
						throw ex;
					}
					Lease seen = this.backend.read(this.leaseName);
					if (this.backend.isHeldBy(seen, this.holder.instanceId(), this.token)) {
						this.backend.clearHolder(seen);
					}
				}
			}
			catch (KubernetesClientException ex) {
				if (ex.getCode() == 404 || ex.getCode() == 409) {
					// Deleted, or changed by somebody else again: not ours to clear.
					return;
				}
				throw new LockException(LockErrorType.RELEASE_FAILED,
						"Failed to release the Kubernetes Lease; it expires by itself", this.holder, location(),
						List.of("Nothing to do: another instance can take over once the Lease expires, "
								+ KubernetesLeaseBackend.leaseSeconds(this.request) + " s after the last renewal",
								"Check that the API server is reachable"),
						ex);
			}
		}
	}

	/**
	 * Run a call to the API server, waiting for it no longer than the lease has left, so
	 * that a hung API server cannot keep this holder believing in a lease that has run
	 * out. A call that outlives the wait goes on in the background until the client's own
	 * timeout.
	 */
	private <T> T beforeDeadline(Callable<T> call) {
		long left = this.leaseNanos - (this.backend.nanoTime() - this.confirmedAt);
		Future<T> result = KubernetesLeaseBackend.submit(call);
		try {
			return result.get(Math.max(0, left), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			result.cancel(true);
			throw new KubernetesClientException("The API server did not answer before the lease ran out");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			result.cancel(true);
			throw new KubernetesClientException("Interrupted while waiting for the API server", ex);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException runtimeException) {
				throw runtimeException;
			}
			throw new KubernetesClientException("The call to the API server failed", ex.getCause());
		}
	}

	/**
	 * Whether the local deadline has passed, marking the lease lost if so.
	 */
	private boolean checkLocalDeadline() {
		if (this.lost.get() != null) {
			return true;
		}
		long elapsed = this.backend.nanoTime() - this.confirmedAt;
		if (elapsed >= this.leaseNanos) {
			this.lost
				.compareAndSet(null,
						new Lost(
								"no renewal succeeded for " + (elapsed / 1_000_000) + " ms, longer than the lease of "
										+ this.request.staleTimeout() + "; another instance may hold the lock now",
								null));
			return true;
		}
		return false;
	}

	private void markLost(Lease seen, String when) {
		if (seen == null) {
			this.lost.compareAndSet(null, new Lost("the Lease was deleted or changed hands when " + when, null));
			return;
		}
		HolderRecord other = KubernetesLeaseBackend.holderOf(seen);
		String holderIdentity = KubernetesLeaseBackend
			.printable((seen.getSpec() != null) ? seen.getSpec().getHolderIdentity() : null);
		String reason = (holderIdentity == null || holderIdentity.isEmpty())
				? "the Lease was found without a holder when " + when : "the Lease was taken over by " + holderIdentity
						+ " (fencing token " + KubernetesLeaseBackend.fencingToken(seen) + ") when " + when;
		this.lost.compareAndSet(null, new Lost(reason, (holderIdentity != null) ? other : null));
	}

	private LockException lostException() {
		Lost cause = this.lost.get();
		return LockErrors.lockLost(location(), cause.reason(), cause.newHolder());
	}

	@Override
	public String toString() {
		return "KubernetesLeaseLease[" + location() + ", token=" + this.token + ", instance=" + this.holder.instanceId()
				+ "]";
	}

	/**
	 * Why the lease was lost, fixed by whoever noticed first.
	 */
	private record Lost(String reason, HolderRecord newHolder) {

		Verification verification() {
			return Verification.lost(this.reason, this.newHolder);
		}

	}

}
