package io.forwardlock.lock;

import org.jspecify.annotations.Nullable;

/**
 * A setting that a {@link LockRemedy} asks to change, named as a fact rather than as a
 * configuration key: the core does not know how an application configures its lock. The
 * core words each setting as the call that sets it ({@link #inCode(String)}); an
 * integration with its own configuration (the Spring Boot starter's properties) words it
 * in its own terms.
 */
public enum LockSetting {

	/**
	 * Name of the lock; a different name is a different lock.
	 */
	NAME("LockRequest.named(\"%s\")", "the lock name of LockRequest.named(...)"),

	/**
	 * Directory of the file backend's lock file.
	 */
	DIRECTORY("new FileLockBackend(Path.of(\"%s\"))", "the directory of new FileLockBackend(...)"),

	/**
	 * Whether to wait for the lock as long as it takes instead of giving up.
	 */
	STANDBY("InstanceLock.acquireOnStandby(...)", "InstanceLock.acquireOnStandby(...)"),

	/**
	 * Further attempts after the first.
	 */
	MAX_RETRIES("InstanceLock.acquire(%s, retryDelay)", "the maxRetries of InstanceLock.acquire(...)"),

	/**
	 * Pause between two attempts.
	 */
	RETRY_DELAY("InstanceLock.acquire(maxRetries, Duration.parse(\"%s\"))",
			"the retryDelay of InstanceLock.acquire(...)"),

	/**
	 * Age of the last heartbeat after which a holder counts as hung; a lease's duration.
	 */
	STALE_TIMEOUT("LockRequest.Builder.staleTimeout(%s)", "LockRequest.Builder.staleTimeout(...)"),

	/**
	 * Period between two heartbeats.
	 */
	HEARTBEAT_INTERVAL("LockRequest.Builder.heartbeatInterval(%s)", "LockRequest.Builder.heartbeatInterval(...)"),

	/**
	 * Which backend holds the lock.
	 */
	BACKEND("another LockBackend, such as the %s backend", "another LockBackend"),

	/**
	 * Table of the JDBC backend.
	 */
	JDBC_TABLE_NAME("new JdbcLockBackend(dataSource, \"%s\")", "the table name of new JdbcLockBackend(...)"),

	/**
	 * Whether the JDBC backend's table is created at start-up.
	 */
	JDBC_INITIALIZE_SCHEMA("JdbcLockSchemaInitializer (%s)", "JdbcLockSchemaInitializer"),

	/**
	 * Whether the JDBC backend may lock on a database in the JVM's own memory.
	 */
	JDBC_ALLOW_IN_MEMORY_DATABASE("JdbcLockBackend.setAllowInMemoryDatabase(%s)",
			"JdbcLockBackend.setAllowInMemoryDatabase(...)");

	private final String withValue;

	private final String withoutValue;

	LockSetting(String withValue, String withoutValue) {
		this.withValue = withValue;
		this.withoutValue = withoutValue;
	}

	/**
	 * How a plain Java application sets this setting.
	 * @param value the value to set, or {@code null} to name the setting only
	 * @return the call, such as {@code LockRequest.named("billing")}
	 */
	public String inCode(@Nullable String value) {
		return (value != null) ? String.format(this.withValue, value) : this.withoutValue;
	}

}
