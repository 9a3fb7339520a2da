package io.forwardlock.lock.kubernetes;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import org.jspecify.annotations.Nullable;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockRequest;

/**
 * What a Kubernetes {@code Lease} says, and what this holder writes into it: the holder
 * identity, the times for people reading it with {@code kubectl}, and the
 * {@code forwardlock.io/*} annotations that carry the fencing token and the holder
 * record. Builds the objects for the guarded writes; makes no call to the API server.
 */
final class KubernetesLeaseRecords {

	static final String INSTANCE_ID = KubernetesLeaseBackend.ANNOTATION_PREFIX + "instance-id";

	static final String PID = KubernetesLeaseBackend.ANNOTATION_PREFIX + "pid";

	static final String POD = KubernetesLeaseBackend.ANNOTATION_PREFIX + "pod";

	static final String NODE = KubernetesLeaseBackend.ANNOTATION_PREFIX + "node";

	static final String APPLICATION = KubernetesLeaseBackend.ANNOTATION_PREFIX + "application";

	static final String PROCESS_STARTED_AT = KubernetesLeaseBackend.ANNOTATION_PREFIX + "process-started-at";

	static final String ACQUIRED_AT = KubernetesLeaseBackend.ANNOTATION_PREFIX + "acquired-at";

	private static final int MAX_ANNOTATION = 253;

	private final String identity;

	private final Clock clock;

	KubernetesLeaseRecords(String identity, Clock clock) {
		this.identity = identity;
		this.clock = clock;
	}

	/**
	 * A new Lease held by this identity, with fencing token 1.
	 */
	Lease created(String namespace, String name, HolderRecord self, LockRequest request) {
		ZonedDateTime now = now();
		return new LeaseBuilder().withNewMetadata()
			.withName(name)
			.withNamespace(namespace)
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
	}

	/**
	 * The Lease {@code current} taken over by this identity with the given fencing token.
	 * It keeps the {@code resourceVersion} that was read, which guards the update: if
	 * anybody changed the Lease since, the API server answers 409 and nothing is written.
	 */
	Lease takenOver(Lease current, HolderRecord self, long token, LockRequest request) {
		LeaseSpec spec = current.getSpec();
		int transitions = ((spec != null && spec.getLeaseTransitions() != null) ? spec.getLeaseTransitions() : 0) + 1;
		ZonedDateTime now = now();
		Map<String, String> annotations = new LinkedHashMap<>(annotations(current));
		annotations.keySet().removeIf((key) -> key.startsWith(KubernetesLeaseBackend.ANNOTATION_PREFIX));
		annotations.putAll(holderAnnotations(self, token));
		return new LeaseBuilder(current).editMetadata()
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
	}

	/**
	 * The held Lease with a new renew time, guarded by its {@code resourceVersion}. The
	 * duration is written again: contenders judge expiry by the Lease's own
	 * {@code leaseDurationSeconds}, and the holder's deadline counts on the one its
	 * request gives, so a duration shortened by somebody else (a held Lease read back
	 * after a 409) must not survive the renewal.
	 */
	Lease renewed(Lease held, LockRequest request) {
		return new LeaseBuilder(held).editOrNewSpec()
			.withRenewTime(now())
			.withLeaseDurationSeconds(leaseSeconds(request))
			.endSpec()
			.build();
	}

	/**
	 * The held Lease without a holder, guarded by its {@code resourceVersion}.
	 */
	Lease cleared(Lease held) {
		Map<String, String> annotations = new LinkedHashMap<>(annotations(held));
		// Keep the fencing token, so that it goes on growing; drop the rest of the
		// record.
		annotations.keySet()
			.removeIf((key) -> key.startsWith(KubernetesLeaseBackend.ANNOTATION_PREFIX)
					&& !key.equals(KubernetesLeaseBackend.FENCING_TOKEN));
		return new LeaseBuilder(held).editMetadata()
			.withAnnotations(annotations)
			.endMetadata()
			.editOrNewSpec()
			.withHolderIdentity(null)
			.withAcquireTime(null)
			.withRenewTime(now())
			.endSpec()
			.build();
	}

	/**
	 * Whether a Lease read from the API server is still held by the given acquisition of
	 * this identity.
	 */
	boolean isHeldBy(@Nullable Lease lease, String instanceId, long token) {
		return lease != null && !isFree(lease) && this.identity.equals(lease.getSpec().getHolderIdentity())
				&& instanceId.equals(annotations(lease).get(INSTANCE_ID)) && fencingToken(lease) == token;
	}

	private Map<String, String> holderAnnotations(HolderRecord self, long token) {
		Map<String, String> annotations = new LinkedHashMap<>();
		annotations.put(KubernetesLeaseBackend.FENCING_TOKEN, Long.toString(token));
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

	private ZonedDateTime now() {
		return ZonedDateTime.ofInstant(this.clock.instant().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
	}

	/**
	 * Whether nobody holds a Lease.
	 */
	static boolean isFree(Lease lease) {
		LeaseSpec spec = lease.getSpec();
		return spec == null || spec.getHolderIdentity() == null || spec.getHolderIdentity().isEmpty();
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
	static @Nullable String printable(@Nullable String text) {
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
		return parseLong(annotations(lease).get(KubernetesLeaseBackend.FENCING_TOKEN), 0);
	}

	static Map<String, String> annotations(Lease lease) {
		ObjectMeta metadata = lease.getMetadata();
		return (metadata != null && metadata.getAnnotations() != null) ? metadata.getAnnotations() : Map.of();
	}

	/**
	 * Lease duration in whole seconds, rounded up so that the holder's deadline always
	 * comes first.
	 */
	static int leaseSeconds(LockRequest request) {
		long millis = request.staleTimeout().toMillis();
		return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (millis + 999) / 1000));
	}

	private static long parseLong(@Nullable String value, long fallback) {
		try {
			return (value != null) ? Long.parseLong(value.trim()) : fallback;
		}
		catch (NumberFormatException ex) {
			return fallback;
		}
	}

	private static @Nullable Instant parseInstant(@Nullable String value) {
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

}
