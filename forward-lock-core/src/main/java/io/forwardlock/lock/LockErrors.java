package io.forwardlock.lock;

import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.forwardlock.lock.LockRemedy.Change;
import org.jspecify.annotations.Nullable;

/**
 * Factory for the {@link LockException LockExceptions} that every backend shares. Each
 * carries facts and {@link LockRemedy remedies}; a remedy that asks to change a setting
 * names it as a {@link LockSetting}, which each kind of application words in its own
 * terms (see {@link LockFailureFormat}).
 */
public final class LockErrors {

	private static final LockRemedy STANDBY = LockRemedy
		.of("Or start this instance as a standby that takes over when the holder stops", LockSetting.STANDBY, "true");

	private LockErrors() {
	}

	/**
	 * Another instance holds the lock.
	 * @param holder the holder, possibly {@link HolderRecord#unknown()}
	 * @param location the lock location
	 * @return the exception
	 */
	public static LockException instanceRunning(@Nullable HolderRecord holder, String location) {
		return LockException.builder(LockErrorType.INSTANCE_RUNNING, "Another instance is already running")
			.holder(holder)
			.location(location)
			.help(stopTheHolder(holder, "it releases the lock on exit, even if it crashes"))
			.remedy(STANDBY)
			.remedy(LockRemedy.of("Or, if this instance is meant to run beside the other one, give it its own lock",
					Change.to(LockSetting.NAME, "<other-name>"), Change.to(LockSetting.DIRECTORY, "/other/dir")))
			.help("Do not delete the lock file while the holder runs: that does not stop it, "
					+ "and a leftover file from a crashed process never blocks a start")
			.build();
	}

	/**
	 * Another instance holds a leased lock, such as a row of the JDBC backend, which a
	 * crashed holder keeps until its lease expires.
	 * @param holder the holder, possibly {@link HolderRecord#unknown()}
	 * @param location the lock location
	 * @param lease how long a lease lasts without renewal
	 * @return the exception
	 */
	public static LockException instanceRunningOnLease(@Nullable HolderRecord holder, String location, Duration lease) {
		return LockException.builder(LockErrorType.INSTANCE_RUNNING, "Another instance is already running")
			.holder(holder)
			.location(location)
			.help(stopTheHolder(holder, "it releases the lock when it stops"))
			.remedy("If that instance crashed or its host is gone, its lease runs out at most " + lease
					+ " after its last renewal; start again then", LockSetting.STALE_TIMEOUT, null)
			.remedy(STANDBY)
			.remedy("Or, if this instance is meant to run beside the other one, give it its own lock", LockSetting.NAME,
					"<other-name>")
			.build();
	}

	/**
	 * How to stop the holder. {@code kill N} is advised only when N is provably the
	 * holder in this PID namespace: the process with that PID here started when the
	 * holder recorded. In another container or PID namespace the same number names
	 * another process here (PID 1 is this namespace's init).
	 * @param holder the holder, may be {@code null}
	 * @param releases what stopping it does to the lock
	 * @return the help line
	 */
	private static String stopTheHolder(@Nullable HolderRecord holder, String releases) {
		if (holder == null || !holder.hasPid()) {
			return "Stop the running instance first; " + releases;
		}
		if (!holder.isLocal()) {
			return "Stop the running instance on host " + holder.hostname() + " (PID " + holder.pid() + "); "
					+ releases;
		}
		if (holder.processStartedAt() == null) {
			return "Stop the running instance first, after checking that PID " + holder.pid() + " is it: ps -p "
					+ holder.pid() + " -o pid,lstart,args (if it runs in another container or PID namespace, stop it "
					+ "there); " + releases;
		}
		if (holder.isProcessAlive()) {
			return "Stop the running instance first: kill " + holder.pid() + " (" + releases + ")";
		}
		return "Stop the running instance where it runs: it recorded PID " + holder.pid() + ", started at "
				+ holder.processStartedAt() + ", but PID " + holder.pid()
				+ " here is another process or none, so the holder runs in another PID namespace or container "
				+ "on this host (do not signal that PID here); " + releases;
	}

	/**
	 * The lock file or its directory is not accessible; a read-only file system is told
	 * apart, since no owner or mode would help there.
	 * @param path the lock file path
	 * @param cause the underlying failure
	 * @return the exception
	 */
	public static LockException permissionDenied(Path path, Throwable cause) {
		Path dir = (path.getParent() != null) ? path.getParent() : path;
		if (cause instanceof FileSystemException fse && fse.getReason() != null
				&& fse.getReason().contains("Read-only file system")) {
			// Not a matter of owners and modes: no user may write there
			return LockException
				.builder(LockErrorType.BACKEND_UNAVAILABLE,
						"The lock file cannot be created: the file system is mounted read-only")
				.location(path.toString())
				.help("Check how it is mounted: findmnt -T " + dir)
				.remedy("Use a lock directory on a writable file system, such as a runtime directory "
						+ "(systemd RuntimeDirectory=) or a writable volume in a container whose root file system is "
						+ "read-only", LockSetting.DIRECTORY, "/run/<app>")
				.help("If the file system turned read-only after an error, check the kernel log: dmesg")
				.cause(cause)
				.build();
		}
		return LockException
			.builder(LockErrorType.PERMISSION_DENIED, "Permission denied when creating or opening the lock file")
			.location(path.toString())
			.help("Check the directory's owner and permissions: ls -ld " + dir)
			.help("Make the directory writable by the user that runs the application, for example: "
					+ "sudo install -d -o $(id -un) -m 0755 " + dir)
			.remedy("Or use a directory you own", LockSetting.DIRECTORY, "$HOME/.forward-lock")
			.help("On SELinux systems, check the context of the directory: ls -Z " + dir)
			.cause(cause)
			.build();
	}

	/**
	 * The lock path is not a regular file owned by this user.
	 * @param path the lock file path
	 * @param reason what is wrong with it, such as "is a symbolic link"
	 * @return the exception
	 */
	public static LockException unsafeLockFile(Path path, String reason) {
		return LockException
			.builder(LockErrorType.UNSAFE_LOCK_FILE,
					"Refusing to use the lock file because it " + reason + "; it was left untouched")
			.location(path.toString())
			.help("Inspect the path: ls -la " + path)
			.help("A lock file owned by another user may belong to that user's running instance: check with "
					+ "ps -p $(cat " + path + ") and stop that instance rather than removing the file")
			.help("If nothing of yours created it, it may be an attack on a shared directory such as /tmp; "
					+ "investigate before removing it")
			.remedy("Use a private lock directory", LockSetting.DIRECTORY, "/var/lib/<app>")
			.build();
	}

	/**
	 * The lock directory lets others replace the lock file.
	 * @param directory the lock directory
	 * @param reason what is wrong with it, completing "it ...", such as "can be written
	 * by other users (mode 0777) without the sticky bit"
	 * @return the exception
	 */
	public static LockException unsafeLockDirectory(Path directory, String reason) {
		return LockException
			.builder(LockErrorType.UNSAFE_LOCK_DIRECTORY,
					"Refusing the lock directory " + directory + " because it " + reason
							+ ": another user could delete or replace the lock file and run a second instance")
			.location(directory.resolve("*.lock").toString())
			.remedy("Use a directory that only this user can write to, created for example with "
					+ "sudo install -d -o $(id -un) -m 0700 /var/lib/<app>", LockSetting.DIRECTORY, "/var/lib/<app>")
			.help("Or take write access away from group and others: chmod go-w " + directory)
			.help("Or, for a directory that users must share (such as /tmp), set the sticky bit, "
					+ "so that nobody can delete or replace another user's files: chmod +t " + directory)
			.help("Check the owner and mode: ls -ld " + directory + "; the directory must belong to this user "
					+ "or to root")
			.build();
	}

	/**
	 * A directory above the lock directory lets others move the lock directory away.
	 * @param directory the lock directory
	 * @param ancestor the directory above it that is unsafe
	 * @param reason what is wrong with the ancestor, completing "which ...", such as "can
	 * be written by every user (mode 0777) without the sticky bit"
	 * @return the exception
	 */
	public static LockException unsafeLockDirectoryParent(Path directory, Path ancestor, String reason) {
		return LockException
			.builder(LockErrorType.UNSAFE_LOCK_DIRECTORY,
					"Refusing the lock directory " + directory + " because it lies in " + ancestor + ", which " + reason
							+ ": another user could move the lock directory away, put another in its "
							+ "place and run a second instance")
			.location(directory.resolve("*.lock").toString())
			.remedy("Use a directory that only this user can write to, in directories that only root or this "
					+ "user can change, created for example with sudo install -d -o $(id -un) -m 0700 "
					+ "/var/lib/<app>", LockSetting.DIRECTORY, "/var/lib/<app>")
			.help("Or take write access away from others: chmod o-w " + ancestor)
			.help("Or, for a directory that users must share (such as /tmp), set the sticky bit, "
					+ "so that nobody can move another user's entries: chmod +t " + ancestor)
			.help("Check the owner and mode of every directory on the way: namei -l " + directory)
			.build();
	}

	/**
	 * The lock changed hands while being acquired too many times in a row.
	 * @param path the lock path
	 * @return the exception
	 */
	public static LockException raceCondition(String path) {
		return LockException
			.builder(LockErrorType.RACE_CONDITION, "The lock file was replaced repeatedly while acquiring it")
			.location(path)
			.remedy("Retry in a few seconds", LockSetting.MAX_RETRIES, "3")
			.help("Check for other programs that delete or replace files in the lock directory, "
					+ "such as tmp cleaners (systemd-tmpfiles)")
			.build();
	}

	/**
	 * Every attempt found the lock held.
	 * @param attempts the number of attempts made
	 * @param last the failure of the last attempt
	 * @return the exception
	 */
	public static LockException maxRetriesExceeded(int attempts, LockException last) {
		return LockException
			.builder(LockErrorType.MAX_RETRIES_EXCEEDED,
					"Failed to acquire the lock after " + attempts + " attempt" + ((attempts != 1) ? "s" : "") + ": "
							+ last.getSummary())
			.holder(last.getHolder())
			.location(last.getLocation())
			.remedies(last.getRemedies())
			.remedy(LockRemedy.of("Or wait longer: raise the number of attempts or the pause between them",
					Change.of(LockSetting.MAX_RETRIES), Change.of(LockSetting.RETRY_DELAY)))
			.cause(last)
			.build();
	}

	/**
	 * Releasing or cleaning up failed.
	 * @param location the lock location
	 * @param cause the underlying failure
	 * @return the exception
	 */
	public static LockException releaseFailed(String location, Throwable cause) {
		return new LockException(LockErrorType.RELEASE_FAILED, "Failed to release the lock cleanly", null, location,
				List.of("The OS releases a file lock when the process exits, so the next start is not blocked",
						"Check the file system holding the lock for errors"),
				cause);
	}

	/**
	 * The backend's medium failed.
	 * @param location the lock location
	 * @param what what was being done
	 * @param cause the underlying failure
	 * @return the exception
	 */
	public static LockException backendUnavailable(String location, String what, Throwable cause) {
		return new LockException(LockErrorType.BACKEND_UNAVAILABLE, "Failed to " + what, null, location,
				List.of("Check that the lock directory or database is reachable and healthy",
						"Check the application log for the underlying error"),
				cause);
	}

	/**
	 * The lock is set up in a way that cannot work; retrying does not help.
	 * @param summary what is wrong, in one sentence
	 * @param location the lock location, if known
	 * @param remedies what to change, in order
	 * @return the exception
	 */
	public static LockException invalidConfiguration(String summary, @Nullable String location,
			LockRemedy... remedies) {
		return LockException.builder(LockErrorType.INVALID_CONFIGURATION, summary)
			.location(location)
			.remedies(List.of(remedies))
			.build();
	}

	/**
	 * A held lock was lost.
	 * @param location the lock location
	 * @param detail why the lock is considered lost
	 * @param newHolder who holds it now, if known
	 * @return the exception
	 */
	public static LockException lockLost(@Nullable String location, String detail, @Nullable HolderRecord newHolder) {
		return LockException.builder(LockErrorType.LOCK_LOST, "The lock was lost: " + detail)
			.holder(newHolder)
			.location(location)
			.help("Find out who took the lock over, and why this instance looked hung or stale")
			.remedy(LockRemedy.of(
					"If the heartbeat is on, make sure the stale timeout is well above the heartbeat "
							+ "interval and above the longest GC pause",
					Change.of(LockSetting.STALE_TIMEOUT), Change.of(LockSetting.HEARTBEAT_INTERVAL)))
			.build();
	}

}
