package io.forwardlock.lock.kubernetes;

import java.util.Locale;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import io.forwardlock.lock.HolderRecord;

/**
 * Names on the Kubernetes side: the rule for namespaces and Lease names (a DNS
 * subdomain), the Lease name derived from a lock name, and this pod's identity.
 */
final class KubernetesLeaseNames {

	private static final Pattern DNS_SUBDOMAIN = Pattern
		.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

	private KubernetesLeaseNames() {
	}

	/**
	 * Check a namespace or a Lease name.
	 * @param value the name
	 * @param what what it names, for the message
	 * @return the name
	 * @throws IllegalArgumentException when it is not a valid Kubernetes name
	 */
	static String validate(@Nullable String value, String what) {
		if (value == null || value.length() > 253 || !DNS_SUBDOMAIN.matcher(value).matches()) {
			throw new IllegalArgumentException("Kubernetes " + what + " '" + value
					+ "' is invalid: use lower case letters, digits, '-' and '.', starting and ending with a letter "
					+ "or digit");
		}
		return value;
	}

	/**
	 * Lease name for a lock name: lower case, with '_' turned into '-'.
	 * @param lockName the lock name
	 * @return the Lease name
	 * @throws IllegalArgumentException when the lock name cannot name a Lease
	 */
	static String forLock(String lockName) {
		// Lock names may hold upper case and '_', which Kubernetes names may not.
		String name = lockName.toLowerCase(Locale.ROOT).replace('_', '-');
		if (!DNS_SUBDOMAIN.matcher(name).matches()) {
			throw new IllegalArgumentException("Lock name '" + lockName
					+ "' cannot name a Kubernetes Lease (lower case letters, digits, '-' and '.', starting and "
					+ "ending with a letter or digit): set a Lease name explicitly");
		}
		return name;
	}

	/**
	 * Name of this pod: {@code POD_NAME} (set from the Downward API), else the host name.
	 */
	static String podName() {
		String pod = System.getenv("POD_NAME");
		return (pod != null && !pod.isBlank()) ? pod.trim() : HolderRecord.localHostname();
	}

}
