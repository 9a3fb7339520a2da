package io.forwardlock.lock.kubernetes;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

/**
 * fabric8's mock API server in CRUD mode on a free loopback port: it stores what it is
 * sent, answers 409 on a duplicate create and on an update with a stale
 * {@code resourceVersion}, as an API server does.
 */
final class MockApiServer implements AutoCloseable {

	static final String NAMESPACE = "test";

	/**
	 * The mock logs every request at INFO: thousands of lines in a race. Kept here so
	 * that the level sticks (java.util.logging holds loggers weakly).
	 */
	private static final Logger MOCK_LOGGER = quiet(Logger.getLogger("io.fabric8.mockwebserver"));

	private final KubernetesMockServer server;

	private MockApiServer(KubernetesMockServer server) {
		this.server = server;
	}

	/**
	 * Start a CRUD mock on a free loopback port.
	 * @return the running server
	 */
	static MockApiServer start() {
		KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
				new KubernetesCrudDispatcher(), false);
		server.init(InetAddress.getLoopbackAddress(), 0);
		return new MockApiServer(server);
	}

	/**
	 * Start a mock that answers only what the test expects.
	 * @return the running server
	 */
	static MockApiServer startExpecting() {
		KubernetesMockServer server = new KubernetesMockServer(false);
		server.init(InetAddress.getLoopbackAddress(), 0);
		return new MockApiServer(server);
	}

	private static Logger quiet(Logger logger) {
		logger.setLevel(Level.WARNING);
		return logger;
	}

	KubernetesMockServer server() {
		return this.server;
	}

	String url() {
		return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + this.server.getPort();
	}

	/**
	 * Configuration for a client of this server, with the timeouts the backend uses for a
	 * lease of the given duration, and nothing read from this machine.
	 * @param lease the lease duration
	 * @return the configuration
	 */
	Config config(Duration lease) {
		return config(url(), lease);
	}

	static Config config(String url, Duration lease) {
		Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url).withNamespace(NAMESPACE).build();
		return KubernetesLeaseClients.forLease(config, lease);
	}

	KubernetesClient newClient(Duration lease) {
		return KubernetesLeaseClients.create(config(lease));
	}

	@Override
	public void close() {
		this.server.destroy();
	}

}
