package io.forwardlock.autoconfigure.kubernetes;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the Kubernetes Lease backend, used with
 * {@code forward.lock.backend=kubernetes}. The lease duration is
 * {@code forward.lock.stale-timeout} and the renew interval
 * {@code forward.lock.heartbeat.interval}. The API server is found as the fabric8 client
 * finds it: the system property or Spring property {@code kubernetes.master}, the
 * {@code KUBECONFIG} file or {@code ~/.kube/config}, or the pod's service account.
 */
@ConfigurationProperties("forward.lock.kubernetes")
public class ForwardLockKubernetesProperties {

	/**
	 * Namespace of the Lease. Defaults to POD_NAMESPACE, else the namespace of the
	 * service account or kubeconfig context, else 'default'.
	 */
	private String namespace;

	/**
	 * Name of the Lease. Defaults to the lock name (forward.lock.name), in lower case
	 * with '_' as '-'.
	 */
	private String leaseName;

	/**
	 * Holder identity written into the Lease. Defaults to the pod name (POD_NAME, else
	 * HOSTNAME) and the PID, such as 'orders-7d9f-x2x_1'.
	 */
	private String identity;

	public String getNamespace() {
		return this.namespace;
	}

	public void setNamespace(String namespace) {
		this.namespace = namespace;
	}

	public String getLeaseName() {
		return this.leaseName;
	}

	public void setLeaseName(String leaseName) {
		this.leaseName = leaseName;
	}

	public String getIdentity() {
		return this.identity;
	}

	public void setIdentity(String identity) {
		this.identity = identity;
	}

}
