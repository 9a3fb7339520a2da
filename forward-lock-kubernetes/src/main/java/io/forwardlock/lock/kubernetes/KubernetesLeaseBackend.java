package io.forwardlock.lock.kubernetes;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;

import org.jspecify.annotations.Nullable;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

/**
 * {@link LockBackend} that holds a lock as a {@code coordination.k8s.io/v1} {@code Lease}
 * object of the Kubernetes API, so that the pods of a Deployment exclude each other
 * without a shared database.
 * <p>
 * <b>How it works.</b> Each lock is one {@code Lease} in one namespace, which is created
 * on first use and never deleted. Acquiring creates it ({@code 409 Conflict} means
 * somebody else created it first), or takes over a released or expired one with an update
 * guarded by the {@code resourceVersion} that was read, so that of two contenders only
 * one can win. The holder renews the Lease every heartbeat interval, again guarded by its
 * {@code resourceVersion}; a renewal that finds the Lease changed by somebody else means
 * the lock is lost, as does its watch on the Lease reporting it deleted or held by
 * another. Release clears {@code holderIdentity}, so that a standby takes over at once.
 * <p>
 * <b>Time, the client-go way.</b> A contender never compares the holder's
 * {@code renewTime} with its own wall clock. It remembers when, on its own monotonic
 * clock, it first saw the Lease's current {@code resourceVersion}; the Lease has expired
 * when that version has stayed unchanged for the Lease's own
 * {@code leaseDurationSeconds}. Every renewal changes the version, so a live holder is
 * never taken over, whatever the clocks of the nodes say. The holder protects itself the
 * same way: its lease counts as lost once {@link LockRequest#staleTimeout()}, less a
 * safety margin (a fifth, at most one second), has passed, on its own monotonic clock,
 * since its last successful renewal was <em>sent</em>, and a call to the API server is
 * never waited for beyond that deadline. The Lease carries the stale timeout rounded up
 * to whole seconds, so the holder gives up at least the margin before any contender may
 * take over, even when its timer fires late on a loaded node (client-go's renew deadline,
 * kept shorter than the lease duration, serves the same end). The times written into
 * {@code acquireTime} and {@code renewTime} are for people reading the Lease with
 * {@code kubectl}.
 * <p>
 * <b>What the Lease holds.</b> {@code holderIdentity} is the pod name and PID of the
 * holder; {@code leaseTransitions} counts the changes of holder; the annotations
 * {@code forwardlock.io/*} carry the fencing token (raised in the same guarded update
 * that acquires, so it only grows while the Lease exists) and the holder record: PID,
 * pod, node, application, instance id, process start and acquisition time. Deleting the
 * Lease by hand takes the lock from its holder and restarts the fencing token at 1.
 * {@code kubectl get lease <name> -n <namespace> -o yaml} shows the holder pod, the
 * fencing token and the last renewal.
 * <p>
 * <b>Failures.</b> A {@code 403 Forbidden} becomes a
 * {@link LockErrorType#PERMISSION_DENIED} error that prints the Role and RoleBinding to
 * apply. An API server that cannot be reached is
 * {@link LockErrorType#BACKEND_UNAVAILABLE}; while waiting as a standby
 * ({@link #acquireBlocking(LockRequest, Duration)}) it is ridden out, and what was
 * observed before the outage still counts, since an unchanged {@code resourceVersion}
 * proves that nobody renewed in between.
 */
public class KubernetesLeaseBackend implements LockBackend, AutoCloseable {

	/**
	 * Id of this backend.
	 */
	public static final String ID = "kubernetes";

	/**
	 * Prefix of the annotations that forward-lock writes on a Lease.
	 */
	public static final String ANNOTATION_PREFIX = "forwardlock.io/";

	/**
	 * Annotation that holds the fencing token of the last acquisition.
	 */
	public static final String FENCING_TOKEN = ANNOTATION_PREFIX + "fencing-token";

	private final KubernetesClient client;

	private final String namespace;

	private final @Nullable String leaseName;

	private final String identity;

	private final KubernetesLeaseRecords records;

	private final KubernetesLeaseObservations observations;

	private final KubernetesLeaseWaits waits;

	private volatile boolean ownsClient;

	/**
	 * Create a backend with the {@link #defaultIdentity() default identity} that names
	 * its Lease after the lock.
	 * @param client the Kubernetes client
	 * @param namespace the namespace of the Lease
	 */
	public KubernetesLeaseBackend(KubernetesClient client, String namespace) {
		this(client, namespace, null, defaultIdentity(), Clock.systemUTC());
	}

	/**
	 * Create a backend.
	 * @param client the Kubernetes client
	 * @param namespace the namespace of the Lease
	 * @param leaseName the Lease name, or {@code null} to name it after the lock
	 * @param identity the holder identity to write into the Lease, such as
	 * {@link #defaultIdentity()}
	 * @param clock wall clock for the times written into the Lease; never used to judge
	 * expiry
	 */
	public KubernetesLeaseBackend(KubernetesClient client, String namespace, @Nullable String leaseName,
			String identity, Clock clock) {
		this(client, namespace, leaseName, identity, clock, System::nanoTime);
	}

	KubernetesLeaseBackend(KubernetesClient client, String namespace, @Nullable String leaseName, String identity,
			Clock clock, LongSupplier nanoTime) {
		this.client = Objects.requireNonNull(client, "'client' must not be null");
		this.namespace = KubernetesLeaseNames.validate(namespace, "namespace");
		this.leaseName = (leaseName != null) ? KubernetesLeaseNames.validate(leaseName, "Lease name") : null;
		if (identity == null || identity.isBlank()) {
			throw new IllegalArgumentException("The holder identity of the Kubernetes Lease must not be empty");
		}
		this.identity = identity;
		this.records = new KubernetesLeaseRecords(identity, Objects.requireNonNull(clock, "'clock' must not be null"));
		this.observations = new KubernetesLeaseObservations(nanoTime);
		this.waits = new KubernetesLeaseWaits(this, this.observations);
	}

	/**
	 * Holder identity of this process: the pod name ({@code POD_NAME}, else
	 * {@code HOSTNAME}, which Kubernetes sets to the pod name) and the PID, such as
	 * {@code orders-7d9f-x2x_1}.
	 * @return the identity
	 */
	public static String defaultIdentity() {
		return podName() + "_" + ProcessHandle.current().pid();
	}

	/**
	 * Name of this pod: {@code POD_NAME} (set from the Downward API), else the host name.
	 * @return the pod name
	 */
	public static String podName() {
		return KubernetesLeaseNames.podName();
	}

	@Override
	public String id() {
		return ID;
	}

	/**
	 * Always {@code true}: a Lease that is not renewed expires.
	 * @return {@code true}
	 */
	@Override
	public boolean requiresHeartbeat() {
		return true;
	}

	/**
	 * Namespace of the Leases.
	 * @return the namespace
	 */
	public String getNamespace() {
		return this.namespace;
	}

	/**
	 * Holder identity written into the Leases this backend acquires.
	 * @return the identity
	 */
	public String getIdentity() {
		return this.identity;
	}

	/**
	 * Name of the Lease that holds a lock.
	 * @param request the lock
	 * @return the Lease name
	 * @throws IllegalArgumentException when the lock name cannot name a Lease
	 */
	public String leaseName(LockRequest request) {
		return (this.leaseName != null) ? this.leaseName : KubernetesLeaseNames.forLock(request.name());
	}

	@Override
	public Optional<LockLease> tryAcquire(LockRequest request) {
		Objects.requireNonNull(request, "'request' must not be null");
		String name = leaseName(request);
		Lease current = call(request, "read the Lease", () -> leases().withName(name).get());
		long now = this.observations.nanoTime();
		if (current == null) {
			return create(request, name, now);
		}
		if (!KubernetesLeaseRecords.isFree(current) && !this.observations.hasExpired(name, current, now)) {
			return Optional.empty();
		}
		return takeOver(request, name, current, now);
	}

	/**
	 * Acquire the lock, or prove that a live holder has it, for an instance that refuses
	 * to start otherwise. A single look cannot tell a crashed holder from a live one,
	 * since expiry is judged from this process's own observations; so a held Lease is
	 * watched (read again every quarter of the heartbeat interval, between 50 ms and one
	 * second) for up to its {@code leaseDurationSeconds}. A change of its
	 * {@code resourceVersion} (a renewal, or another contender taking it) proves a live
	 * holder: the result is empty, after about one renew interval of the holder. A Lease
	 * left unchanged for its whole duration has expired and is taken over with the
	 * guarded update, exactly as a standby would; a Lease released meanwhile is taken at
	 * once. The holder's identity is never trusted: a Lease that names this very identity
	 * (a pod restarted under the same name and PID) is judged the same way.
	 * @param request what to lock and on whose behalf
	 * @return the lease, or an empty optional when a live holder has the lock
	 * @throws InterruptedException when the thread is interrupted while watching
	 * @throws LockException when the API server cannot be reached or refuses access
	 */
	@Override
	public Optional<LockLease> tryAcquireDecisively(LockRequest request) throws InterruptedException {
		return this.waits.decisively(request);
	}

	private Optional<LockLease> create(LockRequest request, String name, long sentAt) {
		HolderRecord self = request.newHolderRecord();
		Lease lease = this.records.created(this.namespace, name, self, request);
		// Empty when another instance created it since we looked: it holds the lock.
		return write(request, "create the Lease", () -> this.client.resource(lease).create())
			.map((created) -> KubernetesLeaseLease.started(this, request, name, created, 1, self, sentAt));
	}

	private Optional<LockLease> takeOver(LockRequest request, String name, Lease current, long sentAt) {
		HolderRecord self = request.newHolderRecord();
		long token = KubernetesLeaseRecords.fencingToken(current) + 1;
		Lease update = this.records.takenOver(current, self, token, request);
		Optional<Lease> written = write(request, "take over the Lease", () -> this.client.resource(update).update());
		this.observations.forget(name);
		return written.map((taken) -> KubernetesLeaseLease.started(this, request, name, taken, token, self, sentAt));
	}

	@Override
	public Optional<HolderRecord> inspect(LockRequest request) {
		Objects.requireNonNull(request, "'request' must not be null");
		String name = leaseName(request);
		Lease current = call(request, "read the Lease", () -> leases().withName(name).get());
		if (current == null || KubernetesLeaseRecords.isFree(current)) {
			return Optional.empty();
		}
		return Optional.of(KubernetesLeaseRecords.holderOf(current));
	}

	/**
	 * Wait until the lock is free and acquire it, polling at the given interval. An API
	 * server that cannot be reached, or answers with a server error, is ridden out: the
	 * wait goes on, and what was observed of the Lease before still counts.
	 * @param request what to lock and on whose behalf
	 * @param pollInterval pause between two attempts
	 * @return the lease
	 * @throws InterruptedException when the waiting thread is interrupted
	 * @throws LockException when the API server refuses access or the request is invalid
	 */
	@Override
	public LockLease acquireBlocking(LockRequest request, Duration pollInterval) throws InterruptedException {
		return this.waits.untilFree(request, pollInterval);
	}

	/**
	 * Refusal that names the holder pod. It follows a {@link #tryAcquireDecisively
	 * decisive attempt}, which saw the holder renew, so the holder is alive.
	 */
	@Override
	public LockException instanceRunning(@Nullable HolderRecord holder, LockRequest request) {
		return KubernetesLeaseErrors.instanceRunning(holder, this.namespace, leaseName(request),
				KubernetesLeaseRecords.leaseSeconds(request), describeLocation(request));
	}

	@Override
	public String describeLocation(LockRequest request) {
		return "Kubernetes Lease " + this.namespace + "/" + leaseName(request);
	}

	/**
	 * Make {@link #close()} close the client too, for a client created for this backend
	 * alone.
	 * @return this backend
	 */
	public KubernetesLeaseBackend closingClient() {
		this.ownsClient = true;
		return this;
	}

	/**
	 * Close the client if this backend owns it (see {@link #closingClient()}). Leases
	 * must be released before: a lease whose client is closed can no longer renew, and
	 * expires. Idempotent.
	 */
	@Override
	public void close() {
		if (this.ownsClient) {
			this.client.close();
		}
	}

	@Override
	public String toString() {
		return "KubernetesLeaseBackend[namespace=" + this.namespace + ", identity=" + this.identity + "]";
	}

	/**
	 * Write a held Lease, renewed or cleared, guarded by its {@code resourceVersion}.
	 * Only called by {@link KubernetesLeaseLease}.
	 */
	Lease update(Lease lease) {
		return this.client.resource(lease).update();
	}

	/**
	 * Read a Lease. Only called by {@link KubernetesLeaseLease}.
	 */
	@Nullable Lease read(String name) {
		return leases().withName(name).get();
	}

	/**
	 * Watch a Lease from a {@code resourceVersion}, or from now when {@code null}.
	 */
	Watch watch(String name, @Nullable String resourceVersion, Watcher<Lease> watcher) {
		Resource<Lease> lease = leases().withName(name);
		return (resourceVersion != null) ? lease.watch(resourceVersion, watcher) : lease.watch(watcher);
	}

	KubernetesLeaseRecords records() {
		return this.records;
	}

	long nanoTime() {
		return this.observations.nanoTime();
	}

	private NonNamespaceOperation<Lease, LeaseList, Resource<Lease>> leases() {
		return this.client.leases().inNamespace(this.namespace);
	}

	private <T> T call(LockRequest request, String what, Callable<T> call) {
		try {
			return call.call();
		}
		catch (KubernetesClientException ex) {
			throw error(request, leaseName(request), what, ex);
		}
		catch (RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw LockErrors.backendUnavailable(describeLocation(request), what, ex);
		}
	}

	/**
	 * Make a guarded write.
	 * @return the Lease as written, or empty when the API server refused the write
	 * because the Lease changed since it was read ({@code 409 Conflict})
	 */
	private Optional<Lease> write(LockRequest request, String what, Callable<Lease> call) {
		try {
			return Optional.of(call(request, what, call));
		}
		catch (LockException ex) {
			if (ex.getCause() instanceof KubernetesClientException kce && kce.getCode() == 409) {
				return Optional.empty();
			}
			throw ex;
		}
	}

	LockException error(LockRequest request, String name, String what, KubernetesClientException ex) {
		return KubernetesLeaseErrors.of(ex, what, this.namespace, name, describeLocation(request),
				this.client.getMasterUrl());
	}

}
