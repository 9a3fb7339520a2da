package io.forwardlock.lock.kubernetes;

import java.time.Duration;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * Builds the Kubernetes client that a {@link KubernetesLeaseBackend} uses, found the way
 * the fabric8 client finds a cluster (system property {@code kubernetes.master},
 * {@code KUBECONFIG} or {@code ~/.kube/config}, the pod's service account), with timeouts
 * that fit the lease.
 */
public final class KubernetesLeaseClients {

	private static final long MIN_TIMEOUT_MILLIS = 3_000;

	private static final long MAX_TIMEOUT_MILLIS = 10_000;

	private KubernetesLeaseClients() {
	}

	/**
	 * Configuration found by the fabric8 client, with timeouts for the given lease.
	 * @param lease the lease duration (stale timeout)
	 * @return the configuration
	 */
	public static Config autoConfigure(Duration lease) {
		return forLease(Config.autoConfigure(null), lease);
	}

	/**
	 * Copy a configuration with timeouts for the given lease: connection and request
	 * timeouts of a third of the lease (between 3 and 10 seconds: a first call that
	 * upgrades the connection can take a second on a busy host, and a holder never waits
	 * beyond its lease anyway), and no retries inside the client, since the backend
	 * retries on its own schedule and must see failures while its lease still runs.
	 * @param config the configuration
	 * @param lease the lease duration (stale timeout)
	 * @return the adjusted configuration
	 */
	public static Config forLease(Config config, Duration lease) {
		int timeout = (int) Math.max(MIN_TIMEOUT_MILLIS, Math.min(MAX_TIMEOUT_MILLIS, lease.toMillis() / 3));
		return new ConfigBuilder(config).withConnectionTimeout(timeout)
			.withRequestTimeout(timeout)
			.withRequestRetryBackoffLimit(0)
			.build();
	}

	/**
	 * Create a client.
	 * @param config the configuration
	 * @return the client; close it when done
	 */
	public static KubernetesClient create(Config config) {
		return new KubernetesClientBuilder().withConfig(config).build();
	}

	/**
	 * Namespace of this pod: {@code POD_NAMESPACE} (set from the Downward API), else the
	 * namespace of the configuration (the service account's, or the kubeconfig
	 * context's), else {@code default}.
	 * @param config the configuration
	 * @return the namespace
	 */
	public static String namespace(Config config) {
		String pod = System.getenv("POD_NAMESPACE");
		if (pod != null && !pod.isBlank()) {
			return pod.trim();
		}
		String configured = config.getNamespace();
		return (configured != null && !configured.isBlank()) ? configured : "default";
	}

}
