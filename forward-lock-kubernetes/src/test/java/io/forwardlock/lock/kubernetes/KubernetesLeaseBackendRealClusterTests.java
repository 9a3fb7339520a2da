package io.forwardlock.lock.kubernetes;

import java.time.Duration;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.testsupport.ChildJvm;

/**
 * The backend contract against a real cluster, only when a kubeconfig is given:
 * {@code FORWARD_LOCK_TEST_KUBECONFIG=$HOME/.kube/config FORWARD_LOCK_TEST_NAMESPACE=default
 * ./mvnw -pl forward-lock-kubernetes -am verify -Dtest=KubernetesLeaseBackendRealClusterTests
 * -Dsurefire.failIfNoSpecifiedTests=false}. The user of the kubeconfig needs get, create,
 * update and delete on {@code leases} in the namespace; the Leases it creates are named
 * {@code fl-test-<random>-<lock>} and deleted after each test.
 */
@EnabledIfEnvironmentVariable(named = RealCluster.KUBECONFIG_VARIABLE, matches = ".+")
class KubernetesLeaseBackendRealClusterTests extends KubernetesLeaseContractHooks {

	private static final Duration LEASE = Duration.ofSeconds(5);

	private static final String PREFIX = "fl-test-" + UUID.randomUUID().toString().substring(0, 8) + "-";

	private static KubernetesClient client;

	@BeforeAll
	static void connect() {
		client = KubernetesLeaseClients.create(RealCluster.config(LEASE));
	}

	@AfterAll
	static void disconnect() {
		if (client != null) {
			client.close();
		}
	}

	@AfterEach
	void deleteLeases() {
		for (Lease lease : client.leases().inNamespace(RealCluster.namespace()).list().getItems()) {
			if (lease.getMetadata().getName().startsWith(PREFIX)) {
				client.resource(lease).delete();
			}
		}
	}

	@Override
	KubernetesClient client() {
		return client;
	}

	@Override
	String namespace() {
		return RealCluster.namespace();
	}

	@Override
	protected LockBackend createBackend() {
		return new KubernetesLeaseBackend(client, RealCluster.namespace());
	}

	@Override
	protected LockRequest request(String name) {
		return LockRequest.named(PREFIX + name)
			.applicationName("contract-test")
			.heartbeat(LEASE.dividedBy(4), LEASE)
			.build();
	}

	@Override
	protected ExternalHolder startExternalHolder(LockRequest request) throws Exception {
		return ExternalHolder.acquiredBy(ChildJvm.start(KubernetesLeaseChildProcess.class, "hold", RealCluster.TARGET,
				request.name(), Long.toString(LEASE.toMillis())));
	}

	@Override
	protected Duration takeoverTimeout() {
		return LEASE.plusSeconds(2);
	}

}
