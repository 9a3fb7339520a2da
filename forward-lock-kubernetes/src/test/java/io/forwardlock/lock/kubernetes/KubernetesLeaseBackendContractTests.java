package io.forwardlock.lock.kubernetes;

import java.time.Duration;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.testsupport.ChildJvm;

/**
 * The backend contract against fabric8's mock API server in CRUD mode, with an external
 * holder in a child JVM.
 */
class KubernetesLeaseBackendContractTests extends KubernetesLeaseContractHooks {

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
	KubernetesClient client() {
		return client;
	}

	@Override
	String namespace() {
		return MockApiServer.NAMESPACE;
	}

	@Override
	protected Duration takeoverTimeout() {
		return LEASE.plusSeconds(1);
	}

}
