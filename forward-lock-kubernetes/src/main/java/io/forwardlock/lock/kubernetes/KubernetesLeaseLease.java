package io.forwardlock.lock.kubernetes;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;

import org.jspecify.annotations.Nullable;

import io.forwardlock.lock.ExpiringLease;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LeaseDeadline;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;

/**
 * Lease granted by {@link KubernetesLeaseBackend}: one acquisition of a Kubernetes
 * {@code Lease}, identified by its instance id and fencing token.
 * <p>
 * It counts as lost once the stale timeout, less a safety margin (a fifth, at most one
 * second: {@link LeaseDeadline#trustedLease}), has passed on this JVM's monotonic clock
 * since its last successful renewal was sent; no call to the API server is waited for
 * beyond that deadline. Contenders may take over only a full {@code leaseDurationSeconds}
 * (the stale timeout rounded up) after they saw that renewal, so this lease gives up
 * first by at least the margin, even when its timer fires late on a loaded node, the
 * contender's clock runs a little fast, or the reaction to the loss takes a moment, as
 * client-go's renew deadline does. The {@link LeaseDeadline} keeps that deadline.
 * <p>
 * While held, the lease watches its Lease ({@link KubernetesLeaseWatch}), so that a Lease
 * deleted by hand, or found with another holder or none, makes it lost as the API server
 * tells of it, not at the next renewal or verification, and asks the
 * {@link #onSuspectedLoss(Runnable) watch over the lease} to verify now. Events of this
 * holder's own renewals, or of edits that leave the holder alone, change nothing; a watch
 * that fails is opened again and never counts as a loss. Release and loss close it.
 */
final class KubernetesLeaseLease extends ExpiringLease {

	/**
	 * Runs the calls to the API server, so that their callers can stop waiting when the
	 * lease runs out, and opens the watches on the Leases. Daemon threads, kept only
	 * while in use.
	 */
	private static final ExecutorService CALLS = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "forward-lock-kubernetes");
		thread.setDaemon(true);
		return thread;
	});

	private final KubernetesLeaseBackend backend;

	private final String leaseName;

	private final long token;

	private final Object writeMonitor = new Object();

	private final BackendFailures<KubernetesClientException> failures;

	/**
	 * Longest wait for the read of a verification: half the time between the heartbeat
	 * interval and the deadline, so that a renewal put off by a slow read still has the
	 * other half to reach the API server before the lease runs out.
	 */
	private final long verifyWaitNanos;

	/**
	 * The Lease as last written or read by this holder; its {@code resourceVersion}
	 * guards the next write.
	 */
	private volatile Lease current;

	private final KubernetesLeaseWatch watch;

	/**
	 * Grant a lease and start watching its Lease.
	 * @return the lease
	 */
	static KubernetesLeaseLease started(KubernetesLeaseBackend backend, LockRequest request, String leaseName,
			Lease current, long token, HolderRecord holder, long confirmedAt) {
		KubernetesLeaseLease lease = new KubernetesLeaseLease(backend, request, leaseName, current, token, holder,
				confirmedAt);
		lease.watch.start();
		return lease;
	}

	private KubernetesLeaseLease(KubernetesLeaseBackend backend, LockRequest request, String leaseName, Lease current,
			long token, HolderRecord holder, long confirmedAt) {
		super(backend, request, holder, token,
				LeaseDeadline.withSafetyMargin(request.staleTimeout(), confirmedAt, backend::nanoTime));
		this.backend = backend;
		this.leaseName = leaseName;
		this.current = current;
		this.token = token;
		this.failures = new BackendFailures<>(KubernetesClientException.class,
				(operation, ex) -> backend.error(request, leaseName, operation, ex));
		long slack = LeaseDeadline.trustedLease(request.staleTimeout()).toNanos()
				- request.heartbeatInterval().toNanos();
		this.verifyWaitNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), slack / 2);
		// a watch that ended is opened again after a quarter of the heartbeat interval,
		// between 50 ms and one second
		long reopenMillis = Math.max(50, Math.min(1000, request.heartbeatInterval().toMillis() / 4));
		this.watch = new KubernetesLeaseWatch(backend, CALLS, leaseName,
				(current.getMetadata() != null) ? current.getMetadata().getResourceVersion() : null,
				Duration.ofMillis(reopenMillis), this::leaseChanged);
	}

	/**
	 * Prove the lease from the API server, or from the local deadline when that has
	 * passed. The read is waited for no longer than half the time between the heartbeat
	 * interval and the deadline: the watchdog renews only once it ends, and a read that
	 * hung until the deadline would cost the renewals of a healthy holder its lease.
	 * @return {@link Verification.Status#HELD} or {@link Verification.Status#LOST}
	 * @throws LockException with {@link LockErrorType#BACKEND_UNAVAILABLE} when the API
	 * server cannot be reached and the local deadline has not passed yet
	 */
	@Override
	public Verification verify() {
		return closingWatchOnLoss(() -> verifyBy(this.failures, "verify the Lease", this::readForVerification,
				(seen) -> this.backend.records().isHeldBy(seen, holder().instanceId(), this.token),
				(seen) -> markLost(seen, "verifying it")));
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
			Lease renewed = closingWatchOnLoss(() -> renewBy(this.failures, "renew the Lease",
					() -> beforeDeadline(this::renewOrReadBack), "the Lease changed hands when renewing it"));
			if (renewed != null) {
				this.current = renewed;
			}
		}
	}

	/**
	 * Renew; when the Lease changed since this holder last saw it, read it back and, if
	 * it is still this acquisition's (somebody only added a label, say), renew once more
	 * on the version read.
	 * @return the renewed Lease, or {@code null} when it is lost
	 */
	private @Nullable Lease renewOrReadBack() {
		try {
			return this.backend.update(this.backend.records().renewed(this.current, request()));
		}
		catch (KubernetesClientException ex) {
			if (ex.getCode() != 409 && ex.getCode() != 404) {
				throw ex;
			}
		}
		Lease seen = this.backend.read(this.leaseName);
		if (!this.backend.records().isHeldBy(seen, holder().instanceId(), this.token)) {
			markLost(seen, "renewing it");
			return null;
		}
		try {
			return this.backend.update(this.backend.records().renewed(seen, request()));
		}
		catch (KubernetesClientException ex) {
			if (ex.getCode() != 409 && ex.getCode() != 404) {
				throw ex;
			}
			markLost(null, "renewing it, twice in a row");
			return null;
		}
	}

	/**
	 * Clear the holder of the Lease, if it is still this acquisition's, so that a standby
	 * takes over at once. Idempotent, from any thread.
	 * @throws LockException with {@link LockErrorType#RELEASE_FAILED} when the API server
	 * could not be reached; the Lease then expires by itself
	 */
	@Override
	public void release() {
		if (!markReleased()) {
			return;
		}
		this.watch.close();
		synchronized (this.writeMonitor) {
			if (deadline().isMarkedLost()) {
				return;
			}
			try {
				try {
					this.backend.update(this.backend.records().cleared(this.current));
				}
				catch (KubernetesClientException ex) {
					if (ex.getCode() != 409) {
						throw ex;
					}
					Lease seen = this.backend.read(this.leaseName);
					if (this.backend.records().isHeldBy(seen, holder().instanceId(), this.token)) {
						this.backend.update(this.backend.records().cleared(seen));
					}
				}
			}
			catch (KubernetesClientException ex) {
				if (ex.getCode() == 404 || ex.getCode() == 409) {
					// Deleted, or changed by somebody else again: not ours to clear.
					return;
				}
				throw new LockException(LockErrorType.RELEASE_FAILED,
						"Failed to release the Kubernetes Lease; it expires by itself", holder(), location(),
						List.of("Nothing to do: another instance can take over once the Lease expires, "
								+ KubernetesLeaseRecords.leaseSeconds(request()) + " s after the last renewal",
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
		return awaitAnswer(CALLS.submit(call));
	}

	/**
	 * Read the Lease for a verification, waiting for it no longer than the lease has left
	 * nor than {@link #verifyWaitNanos}; a read that outlives the wait goes on in the
	 * background until the client's own timeout.
	 */
	private @Nullable Lease readForVerification() {
		CompletableFuture<@Nullable Lease> answer = CompletableFuture
			.supplyAsync(() -> this.backend.read(this.leaseName), CALLS);
		CompletableFuture.delayedExecutor(this.verifyWaitNanos, TimeUnit.NANOSECONDS)
			.execute(() -> answer.completeExceptionally(new KubernetesClientException(
					"The API server did not answer within " + TimeUnit.NANOSECONDS.toMillis(this.verifyWaitNanos)
							+ " ms; the next verification tries again")));
		return awaitAnswer(answer);
	}

	private <T> T awaitAnswer(Future<T> answer) {
		return deadline().await(answer, KubernetesClientException.class,
				"The API server did not answer before the lease ran out", KubernetesClientException::new);
	}

	/**
	 * The watch on the Lease told of a change; runs on the client's thread for the watch,
	 * and makes no call to the API server. A Lease deleted, or no longer this
	 * acquisition's, makes the lease lost and asks for a verification now.
	 */
	private void leaseChanged(Watcher.Action action, Lease seen) {
		if (isReleased() || deadline().hasPassed()) {
			this.watch.close();
			return;
		}
		if (action == Watcher.Action.DELETED) {
			deadline().markLost("the Lease was deleted (by hand, or by another client) while this holder held it; "
					+ "another instance may hold the lock now", null);
		}
		else if (!this.backend.records().isHeldBy(seen, holder().instanceId(), this.token)) {
			markLost(seen, "the watch on it told of a change");
		}
		else {
			// a renewal of this holder's, or an edit that left the holder alone
			return;
		}
		this.watch.close();
		suspectLoss();
	}

	/**
	 * Run a verification or renewal, and close the watch on the Lease once it leaves the
	 * lease lost.
	 */
	private <T> T closingWatchOnLoss(Supplier<T> check) {
		try {
			return check.get();
		}
		finally {
			if (deadline().hasPassed()) {
				this.watch.close();
			}
		}
	}

	/**
	 * Whether the watch on the Lease is open. For tests.
	 */
	boolean isWatching() {
		return this.watch.isOpen();
	}

	private void markLost(@Nullable Lease seen, String when) {
		if (seen == null) {
			deadline().markLost("the Lease was deleted or changed hands when " + when, null);
			return;
		}
		HolderRecord other = KubernetesLeaseRecords.holderOf(seen);
		String holderIdentity = KubernetesLeaseRecords
			.printable((seen.getSpec() != null) ? seen.getSpec().getHolderIdentity() : null);
		String reason = (holderIdentity == null || holderIdentity.isEmpty())
				? "the Lease was found without a holder when " + when : "the Lease was taken over by " + holderIdentity
						+ " (fencing token " + KubernetesLeaseRecords.fencingToken(seen) + ") when " + when;
		deadline().markLost(reason, (holderIdentity != null) ? other : null);
	}

	@Override
	public String toString() {
		return "KubernetesLeaseLease[" + location() + ", token=" + this.token + ", instance=" + holder().instanceId()
				+ "]";
	}

}
