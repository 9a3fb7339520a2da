package io.forwardlock.autoconfigure.zookeeper;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the ZooKeeper lock backend, used with
 * {@code forward.lock.backend=zookeeper}. With a connect string the backend has a client
 * and session of its own; without one it uses the application's {@code CuratorFramework}
 * bean, and only the base path applies.
 */
@ConfigurationProperties("forward.lock.zookeeper")
public class ForwardLockZookeeperProperties {

	/**
	 * ZooKeeper ensemble as comma-separated host:port pairs, optionally followed by a
	 * chroot path, such as 'zk1:2181,zk2:2181,zk3:2181'. When set, the lock uses a client
	 * and session of its own even if the application defines a CuratorFramework bean;
	 * when not set, that bean is required and used.
	 */
	private String connectString;

	/**
	 * Parent node of the lock nodes; the lock is the ephemeral node
	 * '<base-path>/<forward.lock.name>'.
	 */
	private String basePath = "/forward-lock";

	/**
	 * Session timeout to ask the ensemble for; it grants one between 2 and 20 of its
	 * ticks. A crashed holder keeps the lock for up to this long, and a holder cut off
	 * from the ensemble for this long gives the lock up.
	 */
	private Duration sessionTimeout = Duration.ofSeconds(60);

	/**
	 * How long to wait for a connection to the ensemble before start-up fails.
	 */
	private Duration connectionTimeout = Duration.ofSeconds(15);

	public String getConnectString() {
		return this.connectString;
	}

	public void setConnectString(String connectString) {
		this.connectString = connectString;
	}

	public String getBasePath() {
		return this.basePath;
	}

	public void setBasePath(String basePath) {
		this.basePath = basePath;
	}

	public Duration getSessionTimeout() {
		return this.sessionTimeout;
	}

	public void setSessionTimeout(Duration sessionTimeout) {
		this.sessionTimeout = sessionTimeout;
	}

	public Duration getConnectionTimeout() {
		return this.connectionTimeout;
	}

	public void setConnectionTimeout(Duration connectionTimeout) {
		this.connectionTimeout = connectionTimeout;
	}

}
