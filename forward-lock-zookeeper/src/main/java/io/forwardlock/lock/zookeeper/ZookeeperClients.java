package io.forwardlock.lock.zookeeper;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.utils.PathUtils;
import org.jspecify.annotations.Nullable;

import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;

/**
 * The Curator client of {@link ZookeeperLockBackend}: its settings and base path, checked
 * before anything connects, and the wait for a connection.
 */
final class ZookeeperClients {

	private ZookeeperClients() {
	}

	/**
	 * See {@link ZookeeperLockBackend#newClient(String, Duration, Duration)}.
	 */
	static CuratorFramework newClient(@Nullable String connectString, Duration sessionTimeout,
			Duration connectionTimeout) {
		if (connectString == null || connectString.isBlank()) {
			throw new IllegalArgumentException(
					"ZooKeeper connect string is empty: give the ensemble as host:port pairs, such as "
							+ "zk1:2181,zk2:2181,zk3:2181");
		}
		requirePositive(sessionTimeout, "session timeout");
		requirePositive(connectionTimeout, "connection timeout");
		return CuratorFrameworkFactory.builder()
			.connectString(connectString.trim())
			.sessionTimeoutMs(Math.toIntExact(sessionTimeout.toMillis()))
			.connectionTimeoutMs(Math.toIntExact(connectionTimeout.toMillis()))
			.retryPolicy(new ExponentialBackoffRetry(100, 3, 1000))
			.build();
	}

	private static void requirePositive(@Nullable Duration duration, String what) {
		if (duration == null || duration.isNegative() || duration.isZero() || duration.toMillis() > Integer.MAX_VALUE) {
			throw new IllegalArgumentException(
					"ZooKeeper " + what + " must be positive and at most 24 days, but was " + duration);
		}
	}

	/**
	 * See {@link ZookeeperLockBackend#validateBasePath(String)}.
	 */
	static String validateBasePath(@Nullable String basePath) {
		String problem = null;
		if (basePath == null || basePath.isEmpty() || basePath.equals("/")) {
			problem = "it must name a node below the root";
		}
		else {
			try {
				PathUtils.validatePath(basePath);
			}
			catch (IllegalArgumentException ex) {
				problem = ex.getMessage();
			}
		}
		if (problem != null) {
			throw new IllegalArgumentException("ZooKeeper base path '" + basePath + "' is invalid (" + problem
					+ "): use an absolute path without a trailing slash, such as "
					+ ZookeeperLockBackend.DEFAULT_BASE_PATH);
		}
		return basePath;
	}

	/**
	 * Start the backend's client if nobody has yet, and wait for a connection.
	 * @throws LockException when the client is closed, or does not connect in time
	 */
	static void awaitConnection(ZookeeperLockBackend backend, Duration connectionTimeout, LockRequest request) {
		CuratorFramework client = backend.getClient();
		ensureStarted(backend, client, backend.describeLocation(request));
		if (client.getZookeeperClient().isConnected()) {
			return;
		}
		boolean connected;
		try {
			connected = client.blockUntilConnected(Math.toIntExact(connectionTimeout.toMillis()),
					TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			throw backend.unavailable(request, "connect (interrupted)", ex);
		}
		if (!connected) {
			throw backend.ensembleUnreachable(backend.connectString(), connectionTimeout,
					backend.describeLocation(request), null);
		}
	}

	private static void ensureStarted(ZookeeperLockBackend backend, CuratorFramework client, String location) {
		CuratorFrameworkState state = client.getState();
		if (state == CuratorFrameworkState.LATENT) {
			synchronized (client) {
				if (client.getState() == CuratorFrameworkState.LATENT) {
					backend.sessions().clientStarting();
					client.start();
				}
			}
		}
		else if (state == CuratorFrameworkState.STOPPED) {
			throw ZookeeperErrors.clientClosed(location);
		}
	}

	/**
	 * Session a client runs now.
	 * @param client the client
	 * @return the session id, or 0 when the client cannot tell (closing, or between two
	 * sessions)
	 */
	static long sessionId(CuratorFramework client) {
		try {
			return client.getZookeeperClient().getZooKeeper().getSessionId();
		}
		catch (Exception ex) {
			return 0;
		}
	}

	/**
	 * Ensemble a client connects to, as far as it tells.
	 * @param client the client
	 * @return the connect string
	 */
	static String connectString(CuratorFramework client) {
		try {
			String connectString = client.getZookeeperClient().getCurrentConnectionString();
			return (connectString != null) ? connectString : "(unknown ensemble)";
		}
		catch (RuntimeException ex) {
			return "(unknown ensemble)";
		}
	}

}
