package io.forwardlock.lock;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Who holds a lock: enough for an operator to find the process, and enough to tell a live
 * holder from a process that merely reuses its PID.
 * <p>
 * Fields that a backend could not learn are {@code null} (times) or {@code -1} (PID).
 *
 * @param pid process id of the holder, or {@code -1} when unknown
 * @param hostname host name of the holder, may be {@code null}
 * @param processStartedAt when the holder's process started, may be {@code null}
 * @param acquiredAt when the holder acquired the lock, may be {@code null}
 * @param applicationName application name of the holder, may be {@code null}
 * @param instanceId random id of the holder instance, unique per acquisition-capable
 * instance, may be {@code null}
 */
public record HolderRecord(long pid, @Nullable String hostname, @Nullable Instant processStartedAt,
		@Nullable Instant acquiredAt, @Nullable String applicationName, @Nullable String instanceId) {

	/**
	 * Create a new instance. Text fields come from files, rows and the environment, so
	 * their control characters are escaped here, once for every use.
	 * @param pid process id of the holder, or {@code -1} when unknown
	 * @param hostname host name of the holder, may be {@code null}
	 * @param processStartedAt when the holder's process started, may be {@code null}
	 * @param acquiredAt when the holder acquired the lock, may be {@code null}
	 * @param applicationName application name of the holder, may be {@code null}
	 * @param instanceId random id of the holder instance, may be {@code null}
	 * @see SafeText
	 */
	public HolderRecord {
		hostname = SafeText.escape(hostname);
		applicationName = SafeText.escape(applicationName);
		instanceId = SafeText.escape(instanceId);
	}

	/**
	 * Tolerance when comparing a recorded process start time with the live one. Start
	 * times derived from {@code /proc} are only precise to a clock tick.
	 */
	private static final Duration START_TIME_TOLERANCE = Duration.ofSeconds(1);

	private static final String LOCAL_HOSTNAME = resolveHostname();

	/**
	 * Start time of this process, read once: {@code ProcessHandle.info()} parses several
	 * {@code /proc} files and would otherwise dominate the cost of an acquisition.
	 */
	private static final Instant CURRENT_PROCESS_STARTED_AT = ProcessHandle.current()
		.info()
		.startInstant()
		.orElse(null);

	/**
	 * Record for the current process, acquiring now.
	 * @param applicationName application name, may be {@code null}
	 * @param instanceId instance id, or {@code null} to generate a random one
	 * @return the record
	 */
	public static HolderRecord currentProcess(@Nullable String applicationName, @Nullable String instanceId) {
		return new HolderRecord(ProcessHandle.current().pid(), LOCAL_HOSTNAME, CURRENT_PROCESS_STARTED_AT,
				Instant.now(), applicationName, (instanceId != null) ? instanceId : newInstanceId());
	}

	/**
	 * Record carrying only a PID, for example one read from a plain PID file.
	 * @param pid the process id
	 * @return the record
	 */
	public static HolderRecord ofPid(long pid) {
		return new HolderRecord(pid, null, null, null, null, null);
	}

	/**
	 * Record of a holder about which nothing is known.
	 * @return the record
	 */
	public static HolderRecord unknown() {
		return new HolderRecord(-1, null, null, null, null, null);
	}

	/**
	 * Generate a random instance id.
	 * @return a new instance id
	 */
	public static String newInstanceId() {
		return UUID.randomUUID().toString();
	}

	/**
	 * Host name of this machine, as recorded in holder records.
	 * @return the local host name
	 */
	public static String localHostname() {
		return LOCAL_HOSTNAME;
	}

	/**
	 * Whether the PID is known.
	 * @return {@code true} when {@link #pid()} is positive
	 */
	public boolean hasPid() {
		return this.pid > 0;
	}

	/**
	 * Whether this holder runs on the local host. Unknown hosts count as local, since a
	 * file lock is always local.
	 * @return {@code true} if the holder is on this host
	 */
	public boolean isLocal() {
		return this.hostname == null || Objects.equals(this.hostname, LOCAL_HOSTNAME);
	}

	/**
	 * Whether the recorded process is still alive on this host. A PID that is alive but
	 * belongs to a process started at another time than recorded is a reused PID, and
	 * does not count. This is for messages only: the backend's lock, never the PID,
	 * decides who holds a lock.
	 * @return {@code true} if the same process is alive, {@code false} if it is gone or
	 * unknown
	 */
	public boolean isProcessAlive() {
		if (!hasPid() || !isLocal()) {
			return false;
		}
		Optional<ProcessHandle> handle = ProcessHandle.of(this.pid);
		if (handle.isEmpty() || !handle.get().isAlive()) {
			return false;
		}
		if (this.processStartedAt == null) {
			return true;
		}
		return handle.get()
			.info()
			.startInstant()
			.map((started) -> Duration.between(started, this.processStartedAt)
				.abs()
				.compareTo(START_TIME_TOLERANCE) <= 0)
			.orElse(true);
	}

	/**
	 * One-line summary for log and error messages, such as
	 * {@code PID 4242 on host-a since 2026-11-28T10:00:00Z}.
	 * @return the summary
	 */
	public String describe() {
		StringBuilder sb = new StringBuilder();
		sb.append(hasPid() ? "PID " + this.pid : "unknown PID");
		if (this.hostname != null) {
			sb.append(" on ").append(this.hostname);
		}
		if (this.applicationName != null) {
			sb.append(" (").append(this.applicationName).append(")");
		}
		if (this.acquiredAt != null) {
			sb.append(" since ").append(this.acquiredAt);
		}
		return sb.toString();
	}

	private static String resolveHostname() {
		String env = System.getenv("HOSTNAME");
		if (env != null && !env.isBlank()) {
			return env.trim();
		}
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			return "localhost";
		}
	}

}
