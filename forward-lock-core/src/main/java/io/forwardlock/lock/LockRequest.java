package io.forwardlock.lock;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Immutable description of a lock to acquire and the holder asking for it. Validates
 * itself on construction, with messages that name the lock.
 */
public final class LockRequest {

	/**
	 * Default {@link #heartbeatInterval() heartbeat interval}: 30 seconds.
	 */
	public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(30);

	/**
	 * Default {@link #staleTimeout() stale timeout}: 60 seconds, twice the default
	 * heartbeat interval.
	 */
	public static final Duration DEFAULT_STALE_TIMEOUT = Duration.ofSeconds(60);

	/**
	 * What a valid lock name looks like, in words, completing "the name must be ...".
	 */
	public static final String NAME_RULE = "1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit";

	private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

	private static final Pattern OCTAL_MODE = Pattern.compile("[0-7]{3,4}");

	private static final Pattern SYMBOLIC_MODE = Pattern.compile("[r-][w-][x-][r-][w-][x-][r-][w-][xtT-]");

	/**
	 * Mode of lock directories that the backend creates, unless requested otherwise.
	 */
	public static final int DEFAULT_DIRECTORY_MODE = 0700;

	private final String name;

	private final String applicationName;

	private final String instanceId;

	private final boolean heartbeatEnabled;

	private final Duration heartbeatInterval;

	private final Duration staleTimeout;

	private final int directoryMode;

	private LockRequest(Builder builder) {
		this.name = builder.name;
		this.applicationName = (builder.applicationName != null) ? builder.applicationName : builder.name;
		this.instanceId = (builder.instanceId != null) ? builder.instanceId : HolderRecord.newInstanceId();
		this.heartbeatEnabled = builder.heartbeatEnabled;
		this.heartbeatInterval = builder.heartbeatInterval;
		this.staleTimeout = builder.staleTimeout;
		this.directoryMode = builder.directoryMode;
		validate();
	}

	private void validate() {
		if (!isValidName(this.name)) {
			throw new IllegalArgumentException(
					"Lock name '" + SafeText.escape(this.name) + "' is invalid: use " + NAME_RULE);
		}
		requirePositive(this.heartbeatInterval, "heartbeat interval");
		requirePositive(this.staleTimeout, "stale timeout");
		if (this.heartbeatInterval.multipliedBy(2).compareTo(this.staleTimeout) > 0) {
			// a contender waits for the stale timeout plus one interval without a change;
			// at least one more heartbeat must fit into the stale timeout, or a holder
			// delayed by a single late heartbeat would look hung
			throw new IllegalArgumentException("Heartbeat interval (" + this.heartbeatInterval + ") of lock '"
					+ this.name + "' must be at most half of its stale timeout (" + this.staleTimeout + ")");
		}
		String problem = directoryModeProblem(this.directoryMode);
		if (problem != null) {
			throw new IllegalArgumentException("Directory mode " + formatDirectoryMode(this.directoryMode)
					+ " of lock '" + this.name + "' " + problem);
		}
	}

	/**
	 * What makes a mode unfit for a lock directory that the backend creates.
	 * @param mode the mode bits
	 * @return a phrase completing "the mode ...", or {@code null} when fit
	 */
	private static String directoryModeProblem(int mode) {
		if ((mode & ~07777) != 0) {
			return "has bits outside 07777";
		}
		if ((mode & 0700) != 0700) {
			// the backend itself creates, locks and deletes files in it
			return "must give its owner rwx (0700), since the lock file is created and deleted in it";
		}
		if ((mode & 0022) != 0 && (mode & 01000) == 0) {
			// the same rule as for an existing directory: whoever may write to it
			// could delete the lock file and start a second instance
			return "lets " + (((mode & 0002) != 0) ? "every user" : "its group")
					+ " delete the lock file: remove the write bit (such as 0750) or add the sticky bit (such as 1770)";
		}
		return null;
	}

	/**
	 * Parse a mode for lock directories, given in octal ({@code 0750}, {@code 1770}) or
	 * symbolically as {@code ls -l} shows it ({@code rwxr-x---}, {@code rwxrwx--T}).
	 * @param text the mode
	 * @return the mode bits
	 * @throws IllegalArgumentException when the text is no mode, or a mode that lets
	 * users other than the owner delete the lock file
	 */
	public static int parseDirectoryMode(@Nullable String text) {
		String trimmed = (text != null) ? text.trim() : "";
		int mode;
		if (OCTAL_MODE.matcher(trimmed).matches()) {
			mode = Integer.parseInt(trimmed, 8);
		}
		else if (SYMBOLIC_MODE.matcher(trimmed).matches()) {
			mode = 0;
			for (int i = 0; i < 9; i++) {
				char c = trimmed.charAt(i);
				if (c != '-' && c != 'T') {
					mode |= 1 << (8 - i);
				}
			}
			mode |= (trimmed.charAt(8) == 't' || trimmed.charAt(8) == 'T') ? 01000 : 0;
		}
		else {
			throw new IllegalArgumentException("'" + SafeText.escape(trimmed)
					+ "' is not a directory mode: use octal such as 0700 or 0750, or letters such as rwxr-x---");
		}
		String problem = directoryModeProblem(mode);
		if (problem != null) {
			throw new IllegalArgumentException("Directory mode " + formatDirectoryMode(mode) + " " + problem);
		}
		return mode;
	}

	/**
	 * Format mode bits as four octal digits, such as {@code 0700}.
	 * @param mode the mode bits
	 * @return the octal text
	 */
	public static String formatDirectoryMode(int mode) {
		return String.format("%04o", mode);
	}

	private void requirePositive(Duration duration, String what) {
		if (duration == null || duration.isNegative() || duration.isZero()) {
			throw new IllegalArgumentException(
					"The " + what + " of lock '" + this.name + "' must be positive, but was " + duration);
		}
	}

	/**
	 * Whether a lock name follows the {@link #NAME_RULE rule}: safe as a file name, a
	 * database key and a Kubernetes or ZooKeeper name.
	 * @param name the name, may be {@code null}
	 * @return whether it is valid
	 */
	public static boolean isValidName(@Nullable String name) {
		return name != null && VALID_NAME.matcher(name).matches();
	}

	/**
	 * Start a request for the named lock.
	 * @param name the lock name; letters, digits, '.', '_' and '-'
	 * @return a builder
	 */
	public static Builder named(String name) {
		return new Builder(name);
	}

	/**
	 * Name of the lock.
	 * @return the lock name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Application name recorded in the holder record.
	 * @return the application name
	 */
	public String applicationName() {
		return this.applicationName;
	}

	/**
	 * Random id of the requesting instance, recorded in the holder record.
	 * @return the instance id
	 */
	public String instanceId() {
		return this.instanceId;
	}

	/**
	 * Whether the holder will heartbeat, which allows a contender to take over from a
	 * holder whose heartbeat is older than {@link #staleTimeout()}. Backends with leases
	 * (JDBC) always heartbeat.
	 * @return whether heartbeat is enabled
	 */
	public boolean heartbeatEnabled() {
		return this.heartbeatEnabled;
	}

	/**
	 * Period between two heartbeats.
	 * @return the heartbeat interval
	 */
	public Duration heartbeatInterval() {
		return this.heartbeatInterval;
	}

	/**
	 * Age of the last heartbeat after which a holder is considered hung (or, for a lease
	 * backend, after which the lease expires). At least twice the
	 * {@link #heartbeatInterval() heartbeat interval}.
	 * @return the stale timeout
	 */
	public Duration staleTimeout() {
		return this.staleTimeout;
	}

	/**
	 * Mode given explicitly (whatever the umask) to lock directories that the file
	 * backend creates; existing directories keep theirs. Never lets users other than the
	 * owner write to the directory without the sticky bit.
	 * @return the mode bits, 0700 by default
	 */
	public int directoryMode() {
		return this.directoryMode;
	}

	/**
	 * Holder record for the current process acquiring this request now.
	 * @return the record
	 */
	public HolderRecord newHolderRecord() {
		return HolderRecord.currentProcess(this.applicationName, this.instanceId);
	}

	@Override
	public boolean equals(Object obj) {
		if (this == obj) {
			return true;
		}
		if (!(obj instanceof LockRequest other)) {
			return false;
		}
		return this.name.equals(other.name) && this.applicationName.equals(other.applicationName)
				&& this.instanceId.equals(other.instanceId) && this.heartbeatEnabled == other.heartbeatEnabled
				&& this.heartbeatInterval.equals(other.heartbeatInterval)
				&& this.staleTimeout.equals(other.staleTimeout) && this.directoryMode == other.directoryMode;
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.name, this.applicationName, this.instanceId, this.heartbeatEnabled,
				this.heartbeatInterval, this.staleTimeout, this.directoryMode);
	}

	@Override
	public String toString() {
		return "LockRequest[name=" + this.name + ", applicationName=" + this.applicationName + ", heartbeat="
				+ (this.heartbeatEnabled ? this.heartbeatInterval : "off") + ", staleTimeout=" + this.staleTimeout
				+ "]";
	}

	/**
	 * Builder for {@link LockRequest}. Defaults: heartbeat off, interval
	 * {@link #DEFAULT_HEARTBEAT_INTERVAL 30s}, stale timeout
	 * {@link #DEFAULT_STALE_TIMEOUT 60s}.
	 */
	public static final class Builder {

		private final String name;

		private @Nullable String applicationName;

		private @Nullable String instanceId;

		private boolean heartbeatEnabled;

		private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;

		private Duration staleTimeout = DEFAULT_STALE_TIMEOUT;

		private int directoryMode = DEFAULT_DIRECTORY_MODE;

		private Builder(String name) {
			this.name = name;
		}

		/**
		 * Application name to record; defaults to the lock name.
		 * @param applicationName the application name
		 * @return this builder
		 */
		public Builder applicationName(String applicationName) {
			this.applicationName = applicationName;
			return this;
		}

		/**
		 * Instance id to record; defaults to a random UUID.
		 * @param instanceId the instance id
		 * @return this builder
		 */
		public Builder instanceId(String instanceId) {
			this.instanceId = instanceId;
			return this;
		}

		/**
		 * Enable the heartbeat with the given interval and stale timeout.
		 * @param interval heartbeat period
		 * @param staleTimeout age after which a heartbeat is stale
		 * @return this builder
		 */
		public Builder heartbeat(Duration interval, Duration staleTimeout) {
			this.heartbeatEnabled = true;
			this.heartbeatInterval = interval;
			this.staleTimeout = staleTimeout;
			return this;
		}

		/**
		 * Set whether the heartbeat is enabled, keeping the interval and timeout.
		 * @param enabled whether heartbeat is enabled
		 * @return this builder
		 */
		public Builder heartbeatEnabled(boolean enabled) {
			this.heartbeatEnabled = enabled;
			return this;
		}

		/**
		 * Set the heartbeat interval.
		 * @param interval heartbeat period
		 * @return this builder
		 */
		public Builder heartbeatInterval(Duration interval) {
			this.heartbeatInterval = interval;
			return this;
		}

		/**
		 * Set the stale timeout.
		 * @param staleTimeout age after which a heartbeat is stale
		 * @return this builder
		 */
		public Builder staleTimeout(Duration staleTimeout) {
			this.staleTimeout = staleTimeout;
			return this;
		}

		/**
		 * Set the mode of lock directories that the file backend creates, such as
		 * {@code 0750}; see {@link LockRequest#parseDirectoryMode(String)} for text.
		 * @param mode the mode bits
		 * @return this builder
		 */
		public Builder directoryMode(int mode) {
			this.directoryMode = mode;
			return this;
		}

		/**
		 * Build and validate the request.
		 * @return the request
		 * @throws IllegalArgumentException when a value is invalid
		 */
		public LockRequest build() {
			return new LockRequest(this);
		}

	}

}
