package io.forwardlock.lock.kubernetes;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockBackendContractTests;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.testsupport.ChildJvm;

/**
 * The backend contract against fabric8's mock API server in CRUD mode, with an external
 * holder in a child JVM.
 */
class KubernetesLeaseBackendContractTests extends LockBackendContractTests {

	static final Duration LEASE = Duration.ofSeconds(2);

	private static MockApiServer server;

	private static KubernetesClient client;

	@BeforeAll
	static void startServer() {
		server = MockApiServer.start();
		client = server.newClient(LEASE);
	}

	@AfterAll
	static void stopServer() {
		if (client != null) {
			client.close();
		}
		if (server != null) {
			server.close();
		}
	}

	@Override
	protected LockBackend createBackend() {
		return new KubernetesLeaseBackend(client, MockApiServer.NAMESPACE);
	}

	@Override
	protected LockRequest request(String name) {
		return LockRequest.named(name).applicationName("contract-test").heartbeat(LEASE.dividedBy(4), LEASE).build();
	}

	@Override
	protected ExternalHolder startExternalHolder(LockRequest request) throws Exception {
		return ExternalHolder.acquiredBy(ChildJvm.start(KubernetesLeaseChildProcess.class, "hold", server.url(),
				request.name(), Long.toString(LEASE.toMillis())));
	}

	@Override
	protected void breakLease(LockLease lease, LockRequest request) {
		Lease current = client.leases().inNamespace(MockApiServer.NAMESPACE).withName(request.name()).get();
		Map<String, String> annotations = new LinkedHashMap<>(current.getMetadata().getAnnotations());
		annotations.put(KubernetesLeaseBackend.FENCING_TOKEN,
				Long.toString(KubernetesLeaseBackend.fencingToken(current) + 1));
		client
			.resource(new LeaseBuilder(current).editMetadata()
				.withAnnotations(annotations)
				.endMetadata()
				.editSpec()
				.withHolderIdentity("intruder")
				.endSpec()
				.build())
			.update();
	}

	@Override
	protected Duration takeoverTimeout() {
		return LEASE.plusSeconds(1);
	}

	@Override
	protected boolean supportsFencingTokens() {
		return true;
	}

}
