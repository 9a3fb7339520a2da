package io.forwardlock.autoconfigure.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;

import org.springframework.beans.factory.ObjectProvider;

import io.forwardlock.autoconfigure.ForwardLockProperties.Backend;
import io.forwardlock.autoconfigure.LockBackendFactory;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRemedy;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.zookeeper.ZookeeperLockBackend;

/**
 * {@link LockBackendFactory} for {@code forward.lock.backend=zookeeper}. A client of the
 * backend's own is built when {@code forward.lock.zookeeper.connect-string} is set, even
 * when the application has a {@link CuratorFramework} bean (as {@code spring.flyway.url}
 * gives Flyway a data source of its own); otherwise the application's client is used.
 * Both happen only when the backend is created, that is only when ZooKeeper is selected.
 * The backend's errors get help worded with this starter's properties.
 */
final class ZookeeperLockBackendFactory implements LockBackendFactory {

	private static final Log logger = LogFactory.getLog(ZookeeperLockBackendFactory.class);

	private final ObjectProvider<CuratorFramework> client;

	private final ForwardLockZookeeperProperties properties;

	ZookeeperLockBackendFactory(ObjectProvider<CuratorFramework> client, ForwardLockZookeeperProperties properties) {
		this.client = client;
		this.properties = properties;
	}

	@Override
	public Backend backend() {
		return Backend.ZOOKEEPER;
	}

	/**
	 * Create the backend on a client of its own, which it closes when the application
	 * context closes, when a connect string is set; otherwise on the application's
	 * client.
	 * @param request the lock
	 * @return the backend
	 * @throws LockException when there is neither a connect string nor a client
	 */
	@Override
	public ZookeeperLockBackend createBackend(LockRequest request) {
		String basePath = basePath();
		String connectString = this.properties.getConnectString();
		if (connectString == null || connectString.isBlank()) {
			// the application's client is looked up only when it is the one to use
			CuratorFramework applicationClient = this.client.getIfUnique();
			if (applicationClient == null) {
				throw noConnectString();
			}
			if (applicationClient.getState() == CuratorFrameworkState.STARTED) {
				logger.info("forward-lock uses the application's CuratorFramework, which was started before the lock: "
						+ "its first acquisition waits about 3/10 of the session timeout for a sign that the "
						+ "ZooKeeper leader counted the lock node. Set forward.lock.zookeeper.connect-string to give "
						+ "the lock a client of its own, which does not wait");
			}
			return new PropertyWordedBackend(applicationClient, basePath, null, false);
		}
		CuratorFramework own;
		try {
			own = ZookeeperLockBackend.newClient(connectString, this.properties.getSessionTimeout(),
					this.properties.getConnectionTimeout());
		}
		catch (IllegalArgumentException ex) {
			// the message is complete; only the property names are added
			throw LockErrors.invalidConfiguration(ex.getMessage(), connectString,
					LockRemedy.of("Set forward.lock.zookeeper.session-timeout and "
							+ "forward.lock.zookeeper.connection-timeout to positive durations, such as 30s"));
		}
		return new PropertyWordedBackend(own, basePath, this.properties.getConnectionTimeout(), true);
	}

	private String basePath() {
		try {
			return ZookeeperLockBackend.validateBasePath(this.properties.getBasePath());
		}
		catch (IllegalArgumentException ex) {
			// the message is complete; only the property name is added
			throw LockErrors.invalidConfiguration(ex.getMessage() + " (forward.lock.zookeeper.base-path)", null,
					LockRemedy.of("Set forward.lock.zookeeper.base-path to an absolute ZooKeeper path, such as "
							+ "/forward-lock"));
		}
	}

	private static LockException noConnectString() {
		return new LockException(LockErrorType.BACKEND_UNAVAILABLE,
				"forward.lock.backend=zookeeper needs the ZooKeeper ensemble to connect to, but "
						+ "forward.lock.zookeeper.connect-string is not set and there is no CuratorFramework bean",
				null, null,
				List.of("Set forward.lock.zookeeper.connect-string=zk1:2181,zk2:2181,zk3:2181 "
						+ "(FORWARD_LOCK_ZOOKEEPER_CONNECT_STRING)",
						"Or define a CuratorFramework bean; the lock then uses it",
						"Or lock on this host only: forward.lock.backend=file (FORWARD_LOCK_BACKEND=file)"),
				null);
	}

	/**
	 * The core backend, with help that names this starter's properties.
	 */
	private static final class PropertyWordedBackend extends ZookeeperLockBackend {

		private final boolean ownsClient;

		PropertyWordedBackend(CuratorFramework client, String basePath, Duration connectionTimeout,
				boolean ownsClient) {
			super(client, basePath, connectionTimeout, ownsClient);
			this.ownsClient = ownsClient;
		}

		@Override
		protected List<String> instanceRunningHelp(HolderRecord holder, Duration sessionTimeout) {
			List<String> help = new ArrayList<>(super.instanceRunningHelp(holder, sessionTimeout));
			help.add("Or start this instance as a standby that takes over as soon as the holder's node goes: "
					+ "forward.lock.standby=true (FORWARD_LOCK_STANDBY=true)");
			help.add("Or, if this instance is meant to run beside the other one, give it its own lock: "
					+ "forward.lock.name=<other-name>");
			if (this.ownsClient) {
				help.add("A crashed holder blocks for up to forward.lock.zookeeper.session-timeout; lower it for a "
						+ "faster takeover, keeping it above the longest pause of the application");
			}
			return help;
		}

		@Override
		protected LockException ensembleUnreachable(String connectString, Duration connectionTimeout, String location,
				Throwable cause) {
			List<String> help = new ArrayList<>();
			help.add("Check that the ZooKeeper servers " + connectString + " are running and reachable from this "
					+ "host (name resolution, firewalls), for example with nc -vz <host> <port>");
			if (this.ownsClient) {
				help.add("Check forward.lock.zookeeper.connect-string (FORWARD_LOCK_ZOOKEEPER_CONNECT_STRING): "
						+ "comma-separated host:port pairs, such as zk1:2181,zk2:2181,zk3:2181");
				help.add("If the ensemble is only slow to answer, raise forward.lock.zookeeper.connection-timeout "
						+ "(now " + connectionTimeout + ")");
			}
			else {
				help.add("Check the connect string of the application's CuratorFramework bean, which the lock uses");
				help.add("Or give the lock a client of its own: forward.lock.zookeeper.connect-string="
						+ "zk1:2181,zk2:2181,zk3:2181 (FORWARD_LOCK_ZOOKEEPER_CONNECT_STRING)");
			}
			help.add("Or lock on this host only: forward.lock.backend=file (FORWARD_LOCK_BACKEND=file)");
			return new LockException(LockErrorType.BACKEND_UNAVAILABLE,
					"Could not reach the ZooKeeper ensemble at " + connectString + " within " + connectionTimeout, null,
					location, help, cause);
		}

	}

}
