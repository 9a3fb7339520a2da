package io.forwardlock.lock.kubernetes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientException;

import org.jspecify.annotations.Nullable;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockSetting;

/**
 * Turns failures of the Kubernetes API into {@link LockException LockExceptions} that say
 * what to do: the RBAC objects to apply on {@code 403 Forbidden}, and where the client
 * looks for a cluster when it cannot reach one.
 */
public final class KubernetesLeaseErrors {

	/**
	 * Where a pod finds its service account token.
	 */
	static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

	private static final Pattern SERVICE_ACCOUNT = Pattern
		.compile("system:serviceaccount:([a-z0-9][-a-z0-9.]*):([a-z0-9][-a-z0-9.]*)");

	private KubernetesLeaseErrors() {
	}

	/**
	 * Refusal that names the holder pod, after a decisive attempt saw the holder renew.
	 * @param holder the holder, may be {@code null}
	 * @param namespace the namespace of the Lease
	 * @param leaseName the Lease name
	 * @param leaseSeconds the Lease duration in seconds
	 * @param location the lock location for the message
	 * @return the {@link LockErrorType#INSTANCE_RUNNING} exception
	 */
	static LockException instanceRunning(@Nullable HolderRecord holder, String namespace, String leaseName,
			int leaseSeconds, String location) {
		List<String> help = new ArrayList<>();
		String pod = (holder != null) ? holder.hostname() : null;
		if (pod != null) {
			help.add("The lock is held by pod " + pod + ((holder.hasPid()) ? " (PID " + holder.pid() + ")" : "")
					+ "; stopping it releases the lock: kubectl delete pod " + pod + " -n " + namespace);
		}
		else {
			help.add("Stop the running instance; it releases the lock when it stops");
		}
		help.add(
				"The Lease was renewed (or taken) while this instance watched it, so its holder is alive; a crashed holder's "
						+ "Lease is taken over by the next start once it has stayed unrenewed for " + leaseSeconds
						+ " s");
		return LockException.builder(LockErrorType.INSTANCE_RUNNING, "Another instance is already running")
			.holder(holder)
			.location(location)
			.help(help)
			.remedy("To take over as soon as the holder stops (the usual setting on Kubernetes), start this "
					+ "instance as a standby", LockSetting.STANDBY, "true")
			.remedy("Or, if this instance is meant to run beside the other one, give it its own lock "
					+ "(or its own Lease name)", LockSetting.NAME, "<other-name>")
			.help("See the holder: kubectl get lease " + leaseName + " -n " + namespace + " -o yaml")
			.build();
	}

	/**
	 * Exception for a failed call to the API server.
	 * @param ex the client's failure
	 * @param what what was being done, such as "read the Lease"
	 * @param namespace the namespace of the Lease
	 * @param leaseName the Lease name
	 * @param location the lock location for the message
	 * @param masterUrl the API server the client talked to, may be {@code null}
	 * @return the exception
	 */
	public static LockException of(KubernetesClientException ex, String what, String namespace, String leaseName,
			String location, @Nullable Object masterUrl) {
		int code = ex.getCode();
		if (code == 403) {
			return forbidden(ex, what, namespace, leaseName, location);
		}
		if (code == 401) {
			return new LockException(LockErrorType.PERMISSION_DENIED,
					"Failed to " + what + ": the API server rejected the credentials (401 Unauthorized)", null,
					location,
					List.of("Check the credentials of the current kubeconfig context, or that the pod's service "
							+ "account token is mounted (automountServiceAccountToken must not be false)",
							"Try the same with kubectl: kubectl auth can-i get leases -n " + namespace),
					ex);
		}
		if (code == 404) {
			return new LockException(LockErrorType.BACKEND_UNAVAILABLE,
					"Failed to " + what + ": the API server answered 404 Not Found; the namespace '" + namespace
							+ "' may not exist, or the cluster has no coordination.k8s.io/v1 API",
					null, location,
					List.of("Check the namespace: kubectl get namespace " + namespace,
							"Kubernetes 1.14 or later serves coordination.k8s.io/v1 Leases: kubectl api-resources "
									+ "| grep leases"),
					ex);
		}
		List<String> help = new ArrayList<>();
		// The client reports a failure without an HTTP answer (refused, reset, timed out)
		// with a code of 0 or below.
		if (code <= 0) {
			// The client falls back to the in-cluster address when it finds nothing; an
			// address given any other way (the application's kubernetes.master, a client
			// built by hand) is configuration too.
			if (!clusterConfigurationFound() && isInClusterDefault(masterUrl)) {
				help.add("No cluster configuration was found, so the client tried " + masterUrl + ". It looks, in "
						+ "this order, for: the system property kubernetes.master or the variable "
						+ "KUBERNETES_MASTER; a kubeconfig file at $KUBECONFIG (or the system property "
						+ "kubeconfig), else ~/.kube/config; and inside a pod, the service account at "
						+ SERVICE_ACCOUNT_TOKEN.getParent() + " with KUBERNETES_SERVICE_HOST");
				help.add("Outside a cluster, point it at one: export KUBECONFIG=/path/to/kubeconfig, or "
						+ "-Dkubernetes.master=https://host:6443");
			}
			else {
				help.add("Check that the API server at " + masterUrl + " is reachable from here: kubectl get "
						+ "--raw /readyz");
			}
		}
		else {
			help.add("Check the API server's answer above; kubectl get lease " + leaseName + " -n " + namespace
					+ " -o yaml shows the Lease");
		}
		help.add("A standby rides out an unreachable API server and keeps waiting; a holder gives the lock up "
				+ "once its lease runs out without a renewal");
		String answer = (code > 0) ? " (HTTP " + code + ")" : "";
		return new LockException(LockErrorType.BACKEND_UNAVAILABLE,
				"Failed to " + what + " on the Kubernetes API server" + answer, null, location, help, ex);
	}

	private static LockException forbidden(KubernetesClientException ex, String what, String namespace,
			String leaseName, String location) {
		String message = String.valueOf(ex.getMessage());
		Matcher account = SERVICE_ACCOUNT.matcher(message);
		String accountNamespace = namespace;
		String accountName = "<service-account>";
		if (account.find()) {
			accountNamespace = account.group(1);
			accountName = account.group(2);
		}
		return new LockException(LockErrorType.PERMISSION_DENIED,
				"Failed to " + what + ": the API server denied access (403 Forbidden)", null, location,
				List.of("Allow the pod's service account to get, create, update and watch Leases in namespace "
						+ namespace + ", for example with kubectl apply -f:\n"
						+ rbac(namespace, leaseName, accountNamespace, accountName),
						"Check the result: kubectl auth can-i update leases -n " + namespace
								+ " --as=system:serviceaccount:" + accountNamespace + ":" + accountName),
				ex);
	}

	/**
	 * Role and RoleBinding that let a service account use forward-lock's Leases.
	 * @param namespace the namespace of the Lease
	 * @param leaseName the Lease name
	 * @param accountNamespace the namespace of the service account
	 * @param accountName the service account
	 * @return the manifest, as YAML
	 */
	public static String rbac(String namespace, String leaseName, String accountNamespace, String accountName) {
		// 'create' cannot be limited by resourceNames in Kubernetes RBAC, so it gets a
		// rule of its own; get, update and watch (the holder watches its Lease) are
		// limited to this one Lease.
		return """
				apiVersion: rbac.authorization.k8s.io/v1
				kind: Role
				metadata:
				  name: forward-lock
				  namespace: %1$s
				rules:
				- apiGroups: ["coordination.k8s.io"]
				  resources: ["leases"]
				  verbs: ["create"]
				- apiGroups: ["coordination.k8s.io"]
				  resources: ["leases"]
				  resourceNames: ["%2$s"]
				  verbs: ["get", "update", "watch"]
				---
				apiVersion: rbac.authorization.k8s.io/v1
				kind: RoleBinding
				metadata:
				  name: forward-lock
				  namespace: %1$s
				roleRef:
				  apiGroup: rbac.authorization.k8s.io
				  kind: Role
				  name: forward-lock
				subjects:
				- kind: ServiceAccount
				  name: %4$s
				  namespace: %3$s
				""".formatted(namespace, leaseName, accountNamespace, accountName);
	}

	/**
	 * Whether any of the places where the fabric8 client looks for a cluster holds one.
	 * @return {@code true} if a master URL, kubeconfig or service account was found
	 */
	public static boolean clusterConfigurationFound() {
		if (isSet(System.getProperty("kubernetes.master")) || isSet(System.getenv("KUBERNETES_MASTER"))) {
			return true;
		}
		String kubeconfig = System.getProperty("kubeconfig", System.getenv("KUBECONFIG"));
		if (isSet(kubeconfig)) {
			return true;
		}
		if (Files.isRegularFile(Path.of(System.getProperty("user.home"), ".kube", "config"))) {
			return true;
		}
		return isSet(System.getenv("KUBERNETES_SERVICE_HOST")) && Files.isRegularFile(SERVICE_ACCOUNT_TOKEN);
	}

	private static boolean isInClusterDefault(@Nullable Object masterUrl) {
		return masterUrl == null || String.valueOf(masterUrl).startsWith(Config.DEFAULT_MASTER_URL);
	}

	private static boolean isSet(String value) {
		return value != null && !value.isBlank();
	}

}
