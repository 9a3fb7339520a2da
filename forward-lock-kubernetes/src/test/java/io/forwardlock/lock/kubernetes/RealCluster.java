package io.forwardlock.lock.kubernetes;

import java.io.File;
import java.time.Duration;

import io.fabric8.kubernetes.client.Config;

/**
 * The real cluster of the opt-in tests: the kubeconfig file named by
 * {@value #KUBECONFIG_VARIABLE}, and the namespace named by {@value #NAMESPACE_VARIABLE}
 * ({@code default} if unset).
 */
final class RealCluster {

	static final String KUBECONFIG_VARIABLE = "FORWARD_LOCK_TEST_KUBECONFIG";

	static final String NAMESPACE_VARIABLE = "FORWARD_LOCK_TEST_NAMESPACE";

	/**
	 * Argument that tells a child JVM to use the real cluster instead of a mock URL.
	 */
	static final String TARGET = "cluster";

	private RealCluster() {
	}

	static Config config(Duration lease) {
		return KubernetesLeaseClients.forLease(Config.fromKubeconfig(new File(System.getenv(KUBECONFIG_VARIABLE))),
				lease);
	}

	static String namespace() {
		String namespace = System.getenv(NAMESPACE_VARIABLE);
		return (namespace != null && !namespace.isBlank()) ? namespace.trim() : "default";
	}

	/**
	 * Configuration and namespace for a child JVM's target: {@value #TARGET} or the URL
	 * of a mock API server.
	 */
	static Config configFor(String target, Duration lease) {
		return TARGET.equals(target) ? config(lease) : MockApiServer.config(target, lease);
	}

	static String namespaceFor(String target) {
		return TARGET.equals(target) ? namespace() : MockApiServer.NAMESPACE;
	}

}
