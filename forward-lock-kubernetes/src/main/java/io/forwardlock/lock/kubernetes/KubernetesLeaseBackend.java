package io.forwardlock.lock.kubernetes;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseList;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.LockSetting;

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
 * the lock is lost. Release clears {@code holderIdentity}, so that a standby takes over
 * at once.
 * <p>
 * <b>Time, the client-go way.</b> A contender never compares the holder's
 * {@code renewTime} with its own wall clock. It remembers when, on its own monotonic
 * clock, it first saw the Lease's current {@code resourceVersion}; the Lease has expired
 * when that version has stayed unchanged for the Lease's own
 * {@code leaseDurationSeconds}. Every renewal changes the version, so a live holder is
 * never taken over, whatever the clocks of the nodes say. The holder protects itself the
 * same way: its lease counts as lost once {@link LockRequest#staleTimeout()} has passed,
 * on its own monotonic clock, since its last successful renewal was <em>sent</em>, and a
 * call to the API server is never waited for beyond that deadline. The Lease carries the
 * stale timeout rounded up to whole seconds, so the holder always gives up before any
 * contender may take over. The times written into {@code acquireTime} and
 * {@code renewTime} are for people reading the Lease with {@code kubectl}.
 * <p>
 * <b>What the Lease holds.</b> {@code holderIdentity} is the pod name and PID of the
 * holder; {@code leaseTransitions} counts the changes of holder; the annotations
 * {@code forwardlock.io/*} carry the fencing token (raised in the same guarded update
 * that acquires, so it only grows while the Lease exists) and the holder record: PID,
 * pod, node, application, instance id, process start and acquisition time. Deleting the
 * Lease by hand takes the lock from its holder and restarts the fencing token at 1.
 * <p>
 * <b>Failures.</b> A {@code 403 Forbidden} becomes a
 * {@link LockErrorType#PERMISSION_DENIED} error that prints the Role and RoleBinding to
 * apply. An API server that cannot be reached is
 * {@link LockErrorType#BACKEND_UNAVAILABLE}; while waiting as a standby
 * ({@link #acquireBlocking(LockRequest, Duration)}) it is ridden out, and what was
 * observed before the outage still counts, since an unchanged {@code resourceVersion}
 * proves that nobody renewed in between.
 * <p>
 * <b>Checking by hand.</b> {@code kubectl get lease <name> -n <namespace> -o yaml} shows
 * the holder pod, the fencing token and the last renewal.
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

	static final String INSTANCE_ID = ANNOTATION_PREFIX + "instance-id";

	static final String PID = ANNOTATION_PREFIX + "pid";

	static final String POD = ANNOTATION_PREFIX + "pod";

	static final String NODE = ANNOTATION_PREFIX + "node";

	static final String APPLICATION = ANNOTATION_PREFIX + "application";

	static final String PROCESS_STARTED_AT = ANNOTATION_PREFIX + "process-started-at";

	static final String ACQUIRED_AT = ANNOTATION_PREFIX + "acquired-at";

	private static final Pattern DNS_SUBDOMAIN = Pattern
		.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

	private static final int MAX_ANNOTATION = 253;

	/**
	 * Runs the calls to the API server, so that their callers can stop waiting when the
	 * lease runs out. Daemon threads, kept only while in use.
	 */
	private static final ExecutorService CALLS = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "forward-lock-kubernetes");
		thread.setDaemon(true);
		return thread;
	});

	private final KubernetesClient client;

	private final String namespace;

	private final String leaseName;

	private final String identity;

	private final Clock clock;

	private final LongSupplier nanoTime;

	private volatile boolean ownsClient;

	/**
	 * What this backend last saw of each Lease, to judge expiry on its own clock.
	 */
	private final Map<String, Observation> observations = new ConcurrentHashMap<>();

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
	public KubernetesLeaseBackend(KubernetesClient client, String namespace, String leaseName, String identity,
			Clock clock) {
		this(client, namespace, leaseName, identity, clock, System::nanoTime);
	}

	KubernetesLeaseBackend(KubernetesClient client, String namespace, String leaseName, String identity, Clock clock,
			LongSupplier nanoTime) {
		this.client = Objects.requireNonNull(client, "'client' must not be null");
		this.namespace = validateName(namespace, "namespace");
		this.leaseName = (leaseName != null) ? validateName(leaseName, "Lease name") : null;
		if (identity == null || identity.isBlank()) {
			throw new IllegalArgumentException("The holder identity of the Kubernetes Lease must not be empty");
		}
		this.identity = identity;
		this.clock = Objects.requireNonNull(clock, "'clock' must not be null");
		this.nanoTime = nanoTime;
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
		String pod = System.getenv("POD_NAME");
		return (pod != null && !pod.isBlank()) ? pod.trim() : HolderRecord.localHostname();
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
		if (this.leaseName != null) {
			return this.leaseName;
		}
		// Lock names may hold upper case and '_', which Kubernetes names may not.
		String name = request.name().toLowerCase(Locale.ROOT).replace('_', '-');
		if (!DNS_SUBDOMAIN.matcher(name).matches()) {
			throw new IllegalArgumentException("Lock name '" + request.name()
					+ "' cannot name a Kubernetes Lease (lower case letters, digits, '-' and '.', starting and "
					+ "ending with a letter or digit): set a Lease name explicitly");
		}
		return name;
	}

	@Override
	public Optional<LockLease> tryAcquire(LockRequest request) {
		Objects.requireNonNull(request, "'request' must not be null");
		String name = leaseName(request);
		Lease current = call(request, "read the Lease", () -> leases().withName(name).get());
		long now = this.nanoTime.getAsLong();
		if (current == null) {
			return create(request, name, now);
		}
		if (!isFree(current) && !hasExpired(name, current, now)) {
			return Optional.empty();
		}
		return takeOver(request, name, current, now);
	}

	/**
	 * Acquire the lock, or prove that a live holder has it, for an instance that refuses
	 * to start otherwise. A single look cannot tell a crashed holder from a live one,
	 * since expiry is judged from this process's own observations; so a held Lease is
	 * watched (read again every {@link #watchInterval(LockRequest) watch interval}) for
	 * up to its {@code leaseDurationSeconds}. A change of its {@code resourceVersion} (a
	 * renewal, or another contender taking it) proves a live holder: the result is empty,
	 * after about one renew interval of the holder. A Lease left unchanged for its whole
	 * duration has expired and is taken over with the guarded update, exactly as a
	 * standby would; a Lease released meanwhile is taken at once. The holder's identity
	 * is never trusted: a Lease that names this very identity (a pod restarted under the
	 * same name and PID) is judged the same way.
	 * @param request what to lock and on whose behalf
	 * @return the lease, or an empty optional when a live holder has the lock
	 * @throws InterruptedException when the thread is interrupted while watching
	 * @throws LockException when the API server cannot be reached or refuses access
	 */
	@Override
	public Optional<LockLease> tryAcquireDecisively(LockRequest request) throws InterruptedException {
		String name = leaseName(request);
		Optional<LockLease> lease = tryAcquire(request);
		Observation watched = this.observations.get(name);
		long interval = watchInterval(request).toNanos();
		while (lease.isEmpty()) {
			Observation seen = this.observations.get(name);
			if (seen == null || seen != watched) {
				// Created by somebody else since we looked, taken over by another
				// contender, or renewed: a live holder
				return Optional.empty();
			}
			if (Thread.interrupted()) {
				throw new InterruptedException();
			}
			// Wake up right at the expiry of what was seen, if that comes first
			TimeUnit.NANOSECONDS.sleep(Math.max(1_000_000, Math.min(interval, nanosUntilExpiry(name))));
			lease = tryAcquire(request);
		}
		return lease;
	}

	/**
	 * Pause between two reads of a held Lease while {@link #tryAcquireDecisively
	 * watching} it: a quarter of the heartbeat interval (the holder renews at that
	 * interval when it runs with the same settings), between 50 ms and one second.
	 */
	static Duration watchInterval(LockRequest request) {
		Duration quarter = request.heartbeatInterval().dividedBy(4);
		Duration min = Duration.ofMillis(50);
		Duration max = Duration.ofSeconds(1);
		return (quarter.compareTo(min) < 0) ? min : (quarter.compareTo(max) > 0) ? max : quarter;
	}

	private Optional<LockLease> create(LockRequest request, String name, long sentAt) {
		HolderRecord self = request.newHolderRecord();
		ZonedDateTime now = now();
		Lease lease = new LeaseBuilder().withNewMetadata()
			.withName(name)
			.withNamespace(this.namespace)
			.withAnnotations(holderAnnotations(self, 1))
			.endMetadata()
			.withNewSpec()
			.withHolderIdentity(this.identity)
			.withLeaseDurationSeconds(leaseSeconds(request))
			.withAcquireTime(now)
			.withRenewTime(now)
			.withLeaseTransitions(0)
			.endSpec()
			.build();
		Lease created;
		try {
			created = callOrConflict(request, "create the Lease", () -> this.client.resource(lease).create());
		}
		catch (Conflict ex) {
			// Another instance created it since we looked: it holds the lock.
			return Optional.empty();
		}
		return Optional.of(new KubernetesLeaseLease(this, request, name, created, 1, self, sentAt));
	}

	private Optional<LockLease> takeOver(LockRequest request, String name, Lease current, long sentAt) {
		HolderRecord self = request.newHolderRecord();
		long token = fencingToken(current) + 1;
		LeaseSpec spec = current.getSpec();
		int transitions = ((spec != null && spec.getLeaseTransitions() != null) ? spec.getLeaseTransitions() : 0) + 1;
		ZonedDateTime now = now();
		Map<String, String> annotations = new LinkedHashMap<>(annotations(current));
		annotations.keySet().removeIf((key) -> key.startsWith(ANNOTATION_PREFIX));
		annotations.putAll(holderAnnotations(self, token));
		// The resourceVersion that was read guards the update: if anybody changed the
		// Lease since, the API server answers 409 and nothing is written.
		Lease update = new LeaseBuilder(current).editMetadata()
			.withAnnotations(annotations)
			.endMetadata()
			.editOrNewSpec()
			.withHolderIdentity(this.identity)
			.withLeaseDurationSeconds(leaseSeconds(request))
			.withAcquireTime(now)
			.withRenewTime(now)
			.withLeaseTransitions(transitions)
			.endSpec()
			.build();
		Lease written;
		try {
			written = callOrConflict(request, "take over the Lease", () -> this.client.resource(update).update());
		}
		catch (Conflict ex) {
			this.observations.remove(name);
			return Optional.empty();
		}
		this.observations.remove(name);
		return Optional.of(new KubernetesLeaseLease(this, request, name, written, token, self, sentAt));
	}

	/**
	 * Whether a held Lease has expired: its {@code resourceVersion} stayed the same for
	 * its {@code leaseDurationSeconds}, measured on this backend's monotonic clock since
	 * this backend first saw that version.
	 */
	private boolean hasExpired(String name, Lease current, long now) {
		String version = current.getMetadata().getResourceVersion();
		Integer seconds = (current.getSpec() != null) ? current.getSpec().getLeaseDurationSeconds() : null;
		// A Lease without a duration (written by another tool) is judged by the longest
		// duration Kubernetes' own components use, rather than taken over at once.
		long durationNanos = Duration.ofSeconds((seconds != null && seconds > 0) ? seconds : 60).toNanos();
		Observation seen = this.observations.compute(name,
				(key, previous) -> (previous != null && previous.resourceVersion().equals(version)) ? previous
						: new Observation(version, now, durationNanos));
		return now - seen.seenAt() >= seen.durationNanos();
	}

	private long nanosUntilExpiry(String name) {
		Observation seen = this.observations.get(name);
		if (seen == null) {
			return Long.MAX_VALUE;
		}
		return seen.durationNanos() - (this.nanoTime.getAsLong() - seen.seenAt());
	}

	private static boolean isFree(Lease lease) {
		LeaseSpec spec = lease.getSpec();
		return spec == null || spec.getHolderIdentity() == null || spec.getHolderIdentity().isEmpty();
	}

	@Override
	public Optional<HolderRecord> inspect(LockRequest request) {
		Objects.requireNonNull(request, "'request' must not be null");
		String name = leaseName(request);
		Lease current = call(request, "read the Lease", () -> leases().withName(name).get());
		if (current == null || isFree(current)) {
			return Optional.empty();
		}
		return Optional.of(holderOf(current));
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
		while (true) {
			try {
				Optional<LockLease> lease = tryAcquire(request);
				if (lease.isPresent()) {
					return lease.get();
				}
			}
			catch (LockException ex) {
				if (ex.getType() != LockErrorType.BACKEND_UNAVAILABLE) {
					throw ex;
				}
			}
			if (Thread.interrupted()) {
				throw new InterruptedException();
			}
			// Wake up right when the Lease seen would expire, if that comes before the
			// next
			// poll, so that a takeover follows expiry without waiting out a poll
			// interval.
			long pause = Math.min(pollInterval.toNanos(), nanosUntilExpiry(leaseName(request)));
			TimeUnit.NANOSECONDS.sleep(Math.max(1_000_000, pause));
		}
	}

	/**
	 * Refusal that names the holder pod. It follows a {@link #tryAcquireDecisively
	 * decisive attempt}, which saw the holder renew, so the holder is alive.
	 */
	@Override
	public LockException instanceRunning(HolderRecord holder, LockRequest request) {
		String name = leaseName(request);
		int seconds = leaseSeconds(request);
		List<String> help = new ArrayList<>();
		String pod = (holder != null) ? holder.hostname() : null;
		if (pod != null) {
			help.add("The lock is held by pod " + pod + ((holder.hasPid()) ? " (PID " + holder.pid() + ")" : "")
					+ "; stopping it releases the lock: kubectl delete pod " + pod + " -n " + this.namespace);
		}
		else {
			help.add("Stop the running instance; it releases the lock when it stops");
		}
		help.add(
				"The Lease was renewed (or taken) while this instance watched it, so its holder is alive; a crashed holder's "
						+ "Lease is taken over by the next start once it has stayed unrenewed for " + seconds + " s");
		return LockException.builder(LockErrorType.INSTANCE_RUNNING, "Another instance is already running")
			.holder(holder)
			.location(describeLocation(request))
			.help(help)
			.remedy("To take over as soon as the holder stops (the usual setting on Kubernetes), start this "
					+ "instance as a standby", LockSetting.STANDBY, "true")
			.remedy("Or, if this instance is meant to run beside the other one, give it its own lock "
					+ "(or its own Lease name)", LockSetting.NAME, "<other-name>")
			.help("See the holder: kubectl get lease " + name + " -n " + this.namespace + " -o yaml")
			.build();
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
	 * Renew a held Lease, guarded by the {@code resourceVersion} of {@code held}. Only
	 * called by {@link KubernetesLeaseLease}.
	 * @return the Lease as written
	 */
	Lease renew(Lease held) {
		Lease update = new LeaseBuilder(held).editOrNewSpec().withRenewTime(now()).endSpec().build();
		return this.client.resource(update).update();
	}

	/**
	 * Clear the holder of a held Lease. Only called by {@link KubernetesLeaseLease}.
	 */
	Lease clearHolder(Lease held) {
		Map<String, String> annotations = new LinkedHashMap<>(annotations(held));
		// Keep the fencing token, so that it goes on growing; drop the rest of the
		// record.
		annotations.keySet().removeIf((key) -> key.startsWith(ANNOTATION_PREFIX) && !key.equals(FENCING_TOKEN));
		Lease update = new LeaseBuilder(held).editMetadata()
			.withAnnotations(annotations)
			.endMetadata()
			.editOrNewSpec()
			.withHolderIdentity(null)
			.withAcquireTime(null)
			.withRenewTime(now())
			.endSpec()
			.build();
		return this.client.resource(update).update();
	}

	/**
	 * Read a Lease. Only called by {@link KubernetesLeaseLease}.
	 */
	Lease read(String name) {
		return leases().withName(name).get();
	}

	/**
	 * Whether a Lease read from the API server is still held by the given acquisition.
	 */
	boolean isHeldBy(Lease lease, String instanceId, long token) {
		return lease != null && !isFree(lease) && this.identity.equals(lease.getSpec().getHolderIdentity())
				&& instanceId.equals(annotations(lease).get(INSTANCE_ID)) && fencingToken(lease) == token;
	}

	long nanoTime() {
		return this.nanoTime.getAsLong();
	}

	static <T> Future<T> submit(Callable<T> call) {
		return CALLS.submit(call);
	}

	private NonNamespaceOperation<Lease, LeaseList, Resource<Lease>> leases() {
		return this.client.leases().inNamespace(this.namespace);
	}

	private <T> T call(LockRequest request, String what, Callable<T> call) {
		try {
			return call.call();
		}
		catch (KubernetesClientException ex) {
			throw KubernetesLeaseErrors.of(ex, what, this.namespace, leaseName(request), describeLocation(request),
					this.client.getMasterUrl());
		}
		catch (RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw LockErrors.backendUnavailable(describeLocation(request), what, ex);
		}
	}

	private <T> T callOrConflict(LockRequest request, String what, Callable<T> call) throws Conflict {
		try {
			return call(request, what, call);
		}
		catch (LockException ex) {
			if (ex.getCause() instanceof KubernetesClientException kce && kce.getCode() == 409) {
				throw new Conflict();
			}
			throw ex;
		}
	}

	LockException error(LockRequest request, String name, String what, KubernetesClientException ex) {
		return KubernetesLeaseErrors.of(ex, what, this.namespace, name, describeLocation(request),
				this.client.getMasterUrl());
	}

	private Map<String, String> holderAnnotations(HolderRecord self, long token) {
		Map<String, String> annotations = new LinkedHashMap<>();
		annotations.put(FENCING_TOKEN, Long.toString(token));
		annotations.put(INSTANCE_ID, clip(self.instanceId()));
		annotations.put(PID, Long.toString(self.pid()));
		if (self.hostname() != null) {
			annotations.put(POD, clip(self.hostname()));
		}
		String node = System.getenv("NODE_NAME");
		if (node != null && !node.isBlank()) {
			annotations.put(NODE, clip(node.trim()));
		}
		if (self.applicationName() != null) {
			annotations.put(APPLICATION, clip(self.applicationName()));
		}
		if (self.processStartedAt() != null) {
			annotations.put(PROCESS_STARTED_AT, self.processStartedAt().toString());
		}
		annotations.put(ACQUIRED_AT, self.acquiredAt().toString());
		return annotations;
	}

	/**
	 * Holder record from a Lease's annotations. Anybody allowed to update the Lease can
	 * write them, so the text is made printable before it reaches a log or a terminal.
	 */
	static HolderRecord holderOf(Lease lease) {
		Map<String, String> annotations = annotations(lease);
		long pid = parseLong(annotations.get(PID), -1);
		String pod = annotations.get(POD);
		if (pod == null && lease.getSpec() != null) {
			// A Lease written by another tool: its holder identity is all we know.
			pod = lease.getSpec().getHolderIdentity();
		}
		return new HolderRecord(pid, printable(pod), parseInstant(annotations.get(PROCESS_STARTED_AT)),
				parseInstant(annotations.get(ACQUIRED_AT)), printable(annotations.get(APPLICATION)),
				printable(annotations.get(INSTANCE_ID)));
	}

	/**
	 * Text read from the Lease with control characters (such as terminal escape
	 * sequences) replaced by '?', at most 253 characters long.
	 * @param text the text, may be {@code null}
	 * @return the printable text, or {@code null}
	 */
	static String printable(String text) {
		if (text == null) {
			return null;
		}
		StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_ANNOTATION));
		for (int i = 0; i < text.length() && sb.length() < MAX_ANNOTATION; i++) {
			char c = text.charAt(i);
			sb.append((Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) ? '?' : c);
		}
		return sb.toString();
	}

	static long fencingToken(Lease lease) {
		return parseLong(annotations(lease).get(FENCING_TOKEN), 0);
	}

	static Map<String, String> annotations(Lease lease) {
		ObjectMeta metadata = lease.getMetadata();
		return (metadata != null && metadata.getAnnotations() != null) ? metadata.getAnnotations() : Map.of();
	}

	private static long parseLong(String value, long fallback) {
		try {
			return (value != null) ? Long.parseLong(value.trim()) : fallback;
		}
		catch (NumberFormatException ex) {
			return fallback;
		}
	}

	private static Instant parseInstant(String value) {
		try {
			return (value != null) ? Instant.parse(value) : null;
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	private static String clip(String value) {
		return (value.length() > MAX_ANNOTATION) ? value.substring(0, MAX_ANNOTATION) : value;
	}

	/**
	 * Lease duration in whole seconds, rounded up so that the holder's deadline always
	 * comes first.
	 */
	static int leaseSeconds(LockRequest request) {
		long millis = request.staleTimeout().toMillis();
		return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (millis + 999) / 1000));
	}

	private ZonedDateTime now() {
		return ZonedDateTime.ofInstant(this.clock.instant().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
	}

	private static String validateName(String value, String what) {
		if (value == null || value.length() > 253 || !DNS_SUBDOMAIN.matcher(value).matches()) {
			throw new IllegalArgumentException("Kubernetes " + what + " '" + value
					+ "' is invalid: use lower case letters, digits, '-' and '.', starting and ending with a letter "
					+ "or digit");
		}
		return value;
	}

	/**
	 * The API server refused a guarded write because the Lease changed since it was read.
	 */
	static final class Conflict extends Exception {

		Conflict() {
			super(null, null, false, false);
		}

	}

	/**
	 * A {@code resourceVersion}, when this backend first saw it, and the Lease duration
	 * it carried.
	 */
	private record Observation(String resourceVersion, long seenAt, long durationNanos) {

	}

}
