package io.forwardlock.lock.zookeeper;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

import io.forwardlock.lock.testsupport.TcpProxy;

import static org.awaitility.Awaitility.await;

/**
 * A real three-server ZooKeeper ensemble in this JVM (the server's own code, through
 * {@link ZooKeeperServerEmbedded}) in which server 3 reaches servers 1 and 2 only through
 * {@link TcpProxy proxies}: its configuration names the proxies' ports as the peer and
 * election addresses of servers 1 and 2, while servers 1 and 2 name each other, and
 * server 3, directly. Black-holing the proxies cuts server 3 off from the leader (one of
 * servers 1 and 2, which start first) without a reset: server 3 keeps serving its
 * clients, from a state that no longer moves, until its link to the leader times out
 * after {@link #FOLLOWER_SYNC_LIMIT} ticks, while servers 1 and 2 keep a quorum and go
 * on.
 * <p>
 * The leader closes its end of the link to server 3 only once its own {@link #SYNC_LIMIT}
 * has passed, and it pings server 3 every half tick before that: the proxy holds those
 * bytes back, and with them everything behind them, the end of the stream included, so
 * server 3 learns nothing before its own link times out.
 */
final class ZookeeperPartitionedEnsemble implements AutoCloseable {

	static final int TICK_MILLIS = 200;

	/**
	 * {@code syncLimit} of servers 1 and 2 (2 s): they never lose each other here.
	 */
	static final int SYNC_LIMIT = 10;

	/**
	 * {@code syncLimit} (and {@code initLimit}) of server 3: cut off from the leader, it
	 * goes on serving reads for 50 ticks (10 s), far longer than the session timeout.
	 */
	static final int FOLLOWER_SYNC_LIMIT = 50;

	private static final int SERVERS = 3;

	private final Path directory;

	private final int[] clientPorts = new int[SERVERS];

	private final int[] peerPorts = new int[SERVERS];

	private final int[] electionPorts = new int[SERVERS];

	private final List<TcpProxy> proxies = new ArrayList<>();

	private final ZooKeeperServerEmbedded[] servers = new ZooKeeperServerEmbedded[SERVERS];

	private final List<CuratorFramework> clients = new ArrayList<>();

	private ZookeeperPartitionedEnsemble() throws IOException {
		this.directory = Files.createTempDirectory("forward-lock-zk-ensemble");
	}

	/**
	 * Start servers 1 and 2, and, once they have a leader, server 3 behind the proxies.
	 * Server 3 has joined when a client of {@link #followerConnectString()} connects.
	 * @return the started ensemble
	 * @throws Exception when a server cannot start
	 */
	static ZookeeperPartitionedEnsemble start() throws Exception {
		ZookeeperPartitionedEnsemble ensemble = new ZookeeperPartitionedEnsemble();
		try {
			ensemble.startServers();
			return ensemble;
		}
		catch (Exception | Error ex) {
			ensemble.close();
			throw ex;
		}
	}

	private void startServers() throws Exception {
		for (int i = 0; i < SERVERS; i++) {
			this.clientPorts[i] = freePort();
			this.peerPorts[i] = freePort();
			this.electionPorts[i] = freePort();
		}
		int[] proxiedPeerPorts = new int[SERVERS];
		int[] proxiedElectionPorts = new int[SERVERS];
		for (int i = 0; i < SERVERS - 1; i++) {
			proxiedPeerPorts[i] = proxy(this.peerPorts[i]);
			proxiedElectionPorts[i] = proxy(this.electionPorts[i]);
		}
		proxiedPeerPorts[SERVERS - 1] = this.peerPorts[SERVERS - 1];
		proxiedElectionPorts[SERVERS - 1] = this.electionPorts[SERVERS - 1];
		for (int i = 0; i < SERVERS - 1; i++) {
			this.servers[i] = startServer(i, this.peerPorts, this.electionPorts, SYNC_LIMIT);
		}
		// Servers 1 and 2 elect a leader among themselves (a quorum of three) before
		// server 3 starts, so server 3 joins as a follower
		try (CuratorFramework client = ZookeeperLockBackend.newClient(connectString(0, 1), Duration.ofSeconds(2),
				Duration.ofSeconds(20))) {
			client.start();
			client.create().orSetData().forPath("/ensemble-ready");
		}
		this.servers[SERVERS - 1] = startServer(SERVERS - 1, proxiedPeerPorts, proxiedElectionPorts,
				FOLLOWER_SYNC_LIMIT);
	}

	private int proxy(int targetPort) throws IOException {
		TcpProxy proxy = TcpProxy.start("127.0.0.1", targetPort);
		this.proxies.add(proxy);
		return proxy.port();
	}

	private ZooKeeperServerEmbedded startServer(int index, int[] peerPorts, int[] electionPorts, int syncLimit)
			throws Exception {
		Path base = Files.createDirectories(this.directory.resolve("server" + (index + 1)));
		Path data = Files.createDirectories(base.resolve("data"));
		Files.writeString(data.resolve("myid"), Integer.toString(index + 1), StandardCharsets.US_ASCII);
		Properties properties = new Properties();
		properties.setProperty("tickTime", Integer.toString(TICK_MILLIS));
		properties.setProperty("initLimit", Integer.toString(Math.max(syncLimit, 20)));
		properties.setProperty("syncLimit", Integer.toString(syncLimit));
		// up to 100 ticks: a session timeout long against the half tick between the
		// leader's pings
		properties.setProperty("maxSessionTimeout", Integer.toString(100 * TICK_MILLIS));
		properties.setProperty("dataDir", data.toString());
		properties.setProperty("clientPort", Integer.toString(this.clientPorts[index]));
		properties.setProperty("clientPortAddress", "127.0.0.1");
		properties.setProperty("admin.enableServer", "false");
		for (int i = 0; i < SERVERS; i++) {
			properties.setProperty("server." + (i + 1), "127.0.0.1:" + peerPorts[i] + ":" + electionPorts[i]);
		}
		ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder()
			.baseDir(base)
			.configuration(properties)
			.exitHandler(ExitHandler.LOG_ONLY)
			.build();
		server.start(Duration.ofSeconds(20).toMillis());
		return server;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private String connectString(int... indexes) {
		StringBuilder connectString = new StringBuilder();
		for (int index : indexes) {
			if (!connectString.isEmpty()) {
				connectString.append(',');
			}
			connectString.append("127.0.0.1:").append(this.clientPorts[index]);
		}
		return connectString.toString();
	}

	/**
	 * Server 3 alone, the follower behind the proxies.
	 * @return the connect string
	 */
	String followerConnectString() {
		return connectString(2);
	}

	/**
	 * Servers 1 and 2, the side of the partition that keeps the quorum.
	 * @return the connect string
	 */
	String quorumConnectString() {
		return connectString(0, 1);
	}

	/**
	 * Cut server 3 off from servers 1 and 2 without closing a socket.
	 */
	void partitionFollower() {
		this.proxies.forEach(TcpProxy::blackHole);
	}

	/**
	 * Wait until server 3 sends servers 1 or 2 something, which, when no client writes or
	 * syncs through it, is its answer to one of the leader's pings (every half tick): a
	 * test that acts right after it has most of a half tick before the next answer.
	 * @param timeout how long to wait at most
	 */
	void awaitFollowerMessageToLeader(Duration timeout) {
		long before = forwardedByProxies();
		await().atMost(timeout).pollInterval(Duration.ofMillis(1)).until(() -> forwardedByProxies() != before);
	}

	private long forwardedByProxies() {
		return this.proxies.stream().mapToLong(TcpProxy::forwardedToServer).sum();
	}

	/**
	 * A started client of its own session, closed with the ensemble.
	 * @param connectString the servers it may connect to
	 * @param sessionTimeout the session timeout it asks for
	 * @return the client
	 */
	synchronized CuratorFramework newClient(String connectString, Duration sessionTimeout) {
		CuratorFramework client = unstartedClient(connectString, sessionTimeout);
		client.start();
		return client;
	}

	/**
	 * A client not started yet, for a backend to start, closed with the ensemble.
	 * @param connectString the servers it may connect to
	 * @param sessionTimeout the session timeout it asks for
	 * @return the client
	 */
	synchronized CuratorFramework unstartedClient(String connectString, Duration sessionTimeout) {
		CuratorFramework client = ZookeeperLockBackend.newClient(connectString, sessionTimeout, Duration.ofSeconds(20));
		this.clients.add(client);
		return client;
	}

	/**
	 * Stop the servers (server 3 first), then the clients, then the proxies, and delete
	 * the data. The servers go first: a client connected to the cut-off server 3 would
	 * otherwise wait for the answer to its closing request, which server 3 forwards to a
	 * leader it cannot reach.
	 */
	@Override
	public void close() throws IOException {
		for (int i = SERVERS - 1; i >= 0; i--) {
			if (this.servers[i] != null) {
				this.servers[i].close();
			}
		}
		synchronized (this) {
			this.clients.forEach(CuratorFramework::close);
			this.clients.clear();
		}
		this.proxies.forEach(TcpProxy::close);
		deleteQuietly(this.directory);
	}

	private static void deleteQuietly(Path directory) throws IOException {
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
	}

}
