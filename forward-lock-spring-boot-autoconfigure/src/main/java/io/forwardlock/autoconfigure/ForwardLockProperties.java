package io.forwardlock.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;

import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.jdbc.JdbcLockBackend;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration properties for forward-lock, validated when bound by
 * {@link ForwardLockPropertiesValidator}; defaults shared with the core come from
 * {@link LockRequest}. Environment variables such as {@code FORWARD_LOCK_DIR} bind too.
 */
@ConfigurationProperties("forward.lock")
public class ForwardLockProperties implements Validator {

	private static final Validator VALIDATOR = new ForwardLockPropertiesValidator();

	/**
	 * Whether to guard the application so that only one instance runs.
	 */
	private boolean enabled = true;

	/**
	 * Name of the lock. Defaults to 'spring.application.name', else 'application'. The
	 * file backend's lock file is '<name>.lock'.
	 */
	private @Nullable String name;

	/**
	 * Directory of the lock file. Defaults to the platform's: 'java.io.tmpdir' on Linux,
	 * '~/Library/Application Support/<name>' on macOS and '%ProgramData%\<name>' on
	 * Windows.
	 */
	private @Nullable Path dir;

	/**
	 * Backend that holds the lock: 'file' for one host, 'jdbc' for several hosts sharing
	 * the application's database, 'kubernetes' or 'zookeeper' with their modules on the
	 * class path. Chosen when the application runs, also with Spring AOT.
	 */
	private Backend backend = Backend.FILE;

	/**
	 * Number of further attempts after the first one before giving up.
	 */
	private int maxRetries = 0;

	/**
	 * Pause between two attempts to acquire the lock.
	 */
	private Duration retryDelay = Duration.ofSeconds(1);

	/**
	 * Whether to wait as long as it takes for the lock instead of failing, and take over
	 * as soon as the holder is gone.
	 */
	private boolean standby = false;

	/**
	 * Whether to take the lock before any application singleton is created, so that a
	 * refused instance never runs migrations or other start-up side effects.
	 */
	private boolean acquireEarly = false;

	/**
	 * Whether to check, as soon as the environment is prepared and before any bean is
	 * created, that no other instance holds the file lock, and refuse to start at once if
	 * one does. Applies to the file backend when neither standby nor retries are on. With
	 * the heartbeat on, it refuses only a holder that cannot be taken over: one that
	 * declared no heartbeat, or whose lock file changed less than its stale timeout ago.
	 * The lock itself is still taken during the context refresh (unless acquire-early
	 * takes it instead).
	 */
	private boolean earlyProbe = true;

	/**
	 * Age of the last heartbeat after which a holder counts as hung and may be taken
	 * over. For the JDBC backend, the lease duration.
	 */
	private Duration staleTimeout = LockRequest.DEFAULT_STALE_TIMEOUT;

	/**
	 * How often the holder checks that it still holds the lock.
	 */
	private Duration verifyInterval = Duration.ofSeconds(5);

	/**
	 * What to do when the lock is lost at runtime, after the guarded work (lifecycle
	 * beans such as schedulers) has stopped: 'shutdown' exits the application,
	 * 'mark-down' marks it as refusing traffic and keeps it running, 'standby' waits for
	 * the lock and starts the guarded work again.
	 */
	private OnLost onLost = OnLost.SHUTDOWN;

	/**
	 * Exit status of the process when the lock cannot be acquired. 75 is EX_TEMPFAIL.
	 */
	private int exitCode = 75;

	/**
	 * Exit status of the process when the lock is lost and 'on-lost' is 'shutdown'.
	 */
	private int lostExitCode = 76;

	/**
	 * Mode of lock directories that the file backend creates (with missing parents), set
	 * explicitly whatever the umask: octal such as '0750' or '1770', or letters such as
	 * 'rwxr-x---'. Existing directories keep theirs. Refused when it lets users other
	 * than the owner write to the directory without the sticky bit.
	 */
	private String dirMode = "0700";

	private final Heartbeat heartbeat = new Heartbeat();

	private final Jdbc jdbc = new Jdbc();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable String getName() {
		return this.name;
	}

	public void setName(@Nullable String name) {
		this.name = name;
	}

	public @Nullable Path getDir() {
		return this.dir;
	}

	public void setDir(@Nullable Path dir) {
		this.dir = dir;
	}

	public Backend getBackend() {
		return this.backend;
	}

	public void setBackend(Backend backend) {
		this.backend = backend;
	}

	public int getMaxRetries() {
		return this.maxRetries;
	}

	public void setMaxRetries(int maxRetries) {
		this.maxRetries = maxRetries;
	}

	public Duration getRetryDelay() {
		return this.retryDelay;
	}

	public void setRetryDelay(Duration retryDelay) {
		this.retryDelay = retryDelay;
	}

	public boolean isStandby() {
		return this.standby;
	}

	public void setStandby(boolean standby) {
		this.standby = standby;
	}

	public boolean isAcquireEarly() {
		return this.acquireEarly;
	}

	public void setAcquireEarly(boolean acquireEarly) {
		this.acquireEarly = acquireEarly;
	}

	public boolean isEarlyProbe() {
		return this.earlyProbe;
	}

	public void setEarlyProbe(boolean earlyProbe) {
		this.earlyProbe = earlyProbe;
	}

	public Duration getStaleTimeout() {
		return this.staleTimeout;
	}

	public void setStaleTimeout(Duration staleTimeout) {
		this.staleTimeout = staleTimeout;
	}

	public Duration getVerifyInterval() {
		return this.verifyInterval;
	}

	public void setVerifyInterval(Duration verifyInterval) {
		this.verifyInterval = verifyInterval;
	}

	public OnLost getOnLost() {
		return this.onLost;
	}

	public void setOnLost(OnLost onLost) {
		this.onLost = onLost;
	}

	public int getExitCode() {
		return this.exitCode;
	}

	public void setExitCode(int exitCode) {
		this.exitCode = exitCode;
	}

	public int getLostExitCode() {
		return this.lostExitCode;
	}

	public void setLostExitCode(int lostExitCode) {
		this.lostExitCode = lostExitCode;
	}

	public String getDirMode() {
		return this.dirMode;
	}

	public void setDirMode(String dirMode) {
		this.dirMode = dirMode;
	}

	public Heartbeat getHeartbeat() {
		return this.heartbeat;
	}

	@Override
	public boolean supports(Class<?> type) {
		return VALIDATOR.supports(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		VALIDATOR.validate(target, errors);
	}

	public Jdbc getJdbc() {
		return this.jdbc;
	}

	/**
	 * Heartbeat settings.
	 */
	public static class Heartbeat {

		/**
		 * Whether the holder heartbeats, which lets a standby take over from a hung
		 * holder after 'stale-timeout'. With the file backend it also gives every
		 * acquisition a fencing token. Always on for the JDBC backend.
		 */
		private boolean enabled = false;

		/**
		 * Period between two heartbeats. At most half of 'stale-timeout': a standby takes
		 * over only after it has seen no heartbeat for 'stale-timeout' plus this
		 * interval, so a holder paused for less than 'stale-timeout' is never taken over.
		 */
		private Duration interval = LockRequest.DEFAULT_HEARTBEAT_INTERVAL;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

	}

	/**
	 * JDBC backend settings. The creation of the lock table
	 * ({@code forward.lock.jdbc.initialize-schema}, {@code schema} and {@code platform})
	 * is configured by {@link ForwardLockJdbcInitializationProperties}, which needs
	 * Spring Boot's JDBC support.
	 */
	public static class Jdbc {

		/**
		 * Name of the table that holds the lock rows.
		 */
		private String tableName = JdbcLockBackend.DEFAULT_TABLE_NAME;

		/**
		 * Whether a database in the JVM's own memory (H2 'mem:', HSQLDB 'mem:', Derby
		 * 'memory:') may hold the lock. Such a database excludes no other instance, so
		 * only tests of a single JVM should allow it.
		 */
		private boolean allowInMemoryDatabase;

		public String getTableName() {
			return this.tableName;
		}

		public void setTableName(String tableName) {
			this.tableName = tableName;
		}

		public boolean isAllowInMemoryDatabase() {
			return this.allowInMemoryDatabase;
		}

		public void setAllowInMemoryDatabase(boolean allowInMemoryDatabase) {
			this.allowInMemoryDatabase = allowInMemoryDatabase;
		}

	}

	/**
	 * Backend that holds the lock.
	 */
	public enum Backend {

		/**
		 * A lock file on the local file system: one host.
		 */
		FILE,

		/**
		 * A row in the application's database: several hosts.
		 */
		JDBC,

		/**
		 * A Kubernetes Lease object: several pods; needs forward-lock-kubernetes.
		 */
		KUBERNETES,

		/**
		 * A ZooKeeper node: several hosts; needs forward-lock-zookeeper.
		 */
		ZOOKEEPER

	}

	/**
	 * Reaction to a lock lost at runtime.
	 */
	public enum OnLost {

		/**
		 * Log an error and exit the application with 'lost-exit-code'.
		 */
		SHUTDOWN,

		/**
		 * Stop the guarded work, mark the application as refusing traffic and keep it
		 * running.
		 */
		MARK_DOWN,

		/**
		 * Stop the guarded work, wait on standby for the lock, and start the guarded work
		 * again once it is held.
		 */
		STANDBY

	}

}
