package io.forwardlock.lock.zookeeper;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * A real ZooKeeper server (Curator's {@link TestingServer}, the server's own code) on a
 * free port and a private data directory, with a short tick so that short session
 * timeouts are granted, and the clients the tests make on it.
 */
final class ZookeeperTestServer implements AutoCloseable {

	/**
	 * Tick of the test server: the ensemble grants session timeouts between two and
	 * twenty ticks, and expires sessions on tick boundaries.
	 */
	static final int TICK_MILLIS = 200;

	/**
	 * Session timeout the tests ask for.
	 */
	static final Duration SESSION_TIMEOUT = Duration.ofMillis(2000);

	private final TestingServer server;

	private final List<CuratorFramework> clients = new ArrayList<>();

	private ZookeeperTestServer(TestingServer server) {
		this.server = server;
	}

	static ZookeeperTestServer start() throws Exception {
		return new ZookeeperTestServer(new TestingServer(spec(), true));
	}

	static InstanceSpec spec() throws IOException {
		return spec(TICK_MILLIS);
	}

	/**
	 * Specification of a server on a free port and a private data directory (deleted when
	 * the server closes).
	 * @param tickMillis the server's tick, which bounds the session timeouts it grants
	 * (two to twenty ticks)
	 * @return the specification
	 */
	static InstanceSpec spec(int tickMillis) throws IOException {
		File data = Files.createTempDirectory("forward-lock-zk").toFile();
		return new InstanceSpec(data, -1, -1, -1, true, -1, tickMillis, -1);
	}

	String connectString() {
		return this.server.getConnectString();
	}

	TestingServer server() {
		return this.server;
	}

	/**
	 * A started client of its own session, closed with the server.
	 * @return the client
	 */
	synchronized CuratorFramework newClient() {
		CuratorFramework client = ZookeeperLockBackend.newClient(connectString(), SESSION_TIMEOUT,
				Duration.ofSeconds(10));
		client.start();
		this.clients.add(client);
		return client;
	}

	@Override
	public void close() throws IOException {
		synchronized (this) {
			this.clients.forEach(CuratorFramework::close);
			this.clients.clear();
		}
		this.server.close();
	}

}
