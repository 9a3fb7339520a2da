package io.forwardlock.lock;

import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Factory for {@link LockException LockExceptions} with help text written for users of
 * the starter: {@code forward.lock.*} properties and {@code FORWARD_LOCK_*} environment
 * variables.
 */
public final class LockErrors {

	private LockErrors() {
	}

	/**
	 * Another instance holds the lock.
	 * @param holder the holder, possibly {@link HolderRecord#unknown()}
	 * @param location the lock location
	 * @return the exception
	 */
	public static LockException instanceRunning(HolderRecord holder, String location) {
		List<String> help = new ArrayList<>();
		help.add(stopTheHolder(holder, "it releases the lock on exit, even if it crashes"));
		help.add("Or start this instance as a standby that takes over when the holder stops: "
				+ "forward.lock.standby=true (FORWARD_LOCK_STANDBY=true)");
		help.add("Or, if this instance is meant to run beside the other one, give it its own lock: "
				+ "forward.lock.name=<other-name> or FORWARD_LOCK_DIR=/other/dir");
		help.add("Do not delete the lock file while the holder runs: that does not stop it, "
				+ "and a leftover file from a crashed process never blocks a start");
		return new LockException(LockErrorType.INSTANCE_RUNNING, "Another instance is already running", holder,
				location, help, null);
	}

	/**
	 * Another instance holds a leased lock, such as a row of the JDBC backend, which a
	 * crashed holder keeps until its lease expires.
	 * @param holder the holder, possibly {@link HolderRecord#unknown()}
	 * @param location the lock location
	 * @param lease how long a lease lasts without renewal
	 * @return the exception
	 */
	public static LockException instanceRunningOnLease(HolderRecord holder, String location, Duration lease) {
		List<String> help = new ArrayList<>();
		help.add(stopTheHolder(holder, "it releases the lock when it stops"));
		help.add("If that instance crashed or its host is gone, its lease runs out at most " + lease
				+ " (forward.lock.stale-timeout) after its last renewal; start again then");
		help.add("Or start this instance as a standby that takes over when the holder stops: "
				+ "forward.lock.standby=true (FORWARD_LOCK_STANDBY=true)");
		help.add("Or, if this instance is meant to run beside the other one, give it its own lock: "
				+ "forward.lock.name=<other-name>");
		return new LockException(LockErrorType.INSTANCE_RUNNING, "Another instance is already running", holder,
				location, help, null);
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
	private static String stopTheHolder(HolderRecord holder, String releases) {
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
			return new LockException(LockErrorType.BACKEND_UNAVAILABLE,
					"The lock file cannot be created: the file system is mounted read-only", null, path.toString(),
					List.of("Check how it is mounted: findmnt -T " + dir,
							"Point forward.lock.dir at a writable file system, such as a runtime directory "
									+ "(systemd RuntimeDirectory=) or a writable volume in a container whose root "
									+ "file system is read-only (FORWARD_LOCK_DIR)",
							"If the file system turned read-only after an error, check the kernel log: dmesg"),
					cause);
		}
		return new LockException(LockErrorType.PERMISSION_DENIED,
				"Permission denied when creating or opening the lock file", null, path.toString(),
				List.of("Check the directory's owner and permissions: ls -ld " + dir,
						"Make the directory writable by the user that runs the application, for example: "
								+ "sudo install -d -o $(id -un) -m 0755 " + dir,
						"Or use a directory you own: forward.lock.dir=$HOME/.forward-lock "
								+ "(FORWARD_LOCK_DIR=$HOME/.forward-lock)",
						"On SELinux systems, check the context of the directory: ls -Z " + dir),
				cause);
	}

	/**
	 * The lock path is not a regular file owned by this user.
	 * @param path the lock file path
	 * @param reason what is wrong with it, such as "is a symbolic link"
	 * @return the exception
	 */
	public static LockException unsafeLockFile(Path path, String reason) {
		return new LockException(LockErrorType.UNSAFE_LOCK_FILE,
				"Refusing to use the lock file because it " + reason + "; it was left untouched", null, path.toString(),
				List.of("Inspect the path: ls -la " + path,
						"A lock file owned by another user may belong to that user's running instance: check with "
								+ "ps -p $(cat " + path + ") and stop that instance rather than removing the file",
						"If nothing of yours created it, it may be an attack on a shared directory such as /tmp; "
								+ "investigate before removing it",
						"Use a private lock directory: forward.lock.dir=/var/lib/<app> (FORWARD_LOCK_DIR=/var/lib/<app>)"),
				null);
	}

	/**
	 * The lock directory lets others replace the lock file.
	 * @param directory the lock directory
	 * @param reason what is wrong with it, completing "it ...", such as "can be written
	 * by other users (mode 0777) without the sticky bit"
	 * @return the exception
	 */
	public static LockException unsafeLockDirectory(Path directory, String reason) {
		return new LockException(LockErrorType.UNSAFE_LOCK_DIRECTORY,
				"Refusing the lock directory " + directory + " because it " + reason
						+ ": another user could delete or replace the lock file and run a second instance",
				null, directory.resolve("*.lock").toString(),
				List.of("Use a directory that only this user can write to: forward.lock.dir=/var/lib/<app> "
						+ "(FORWARD_LOCK_DIR=/var/lib/<app>), created for example with "
						+ "sudo install -d -o $(id -un) -m 0700 /var/lib/<app>",
						"Or take write access away from group and others: chmod go-w " + directory,
						"Or, for a directory that users must share (such as /tmp), set the sticky bit, "
								+ "so that nobody can delete or replace another user's files: chmod +t " + directory,
						"Check the owner and mode: ls -ld " + directory + "; the directory must belong to this user "
								+ "or to root"),
				null);
	}

	/**
	 * The lock changed hands while being acquired too many times in a row.
	 * @param path the lock path
	 * @return the exception
	 */
	public static LockException raceCondition(String path) {
		return new LockException(LockErrorType.RACE_CONDITION,
				"The lock file was replaced repeatedly while acquiring it", null, path,
				List.of("Retry in a few seconds: forward.lock.max-retries=3 (FORWARD_LOCK_MAX_RETRIES=3)",
						"Check for other programs that delete or replace files in the lock directory, "
								+ "such as tmp cleaners (systemd-tmpfiles)"),
				null);
	}

	/**
	 * Every attempt found the lock held.
	 * @param attempts the number of attempts made
	 * @param last the failure of the last attempt
	 * @return the exception
	 */
	public static LockException maxRetriesExceeded(int attempts, LockException last) {
		List<String> help = new ArrayList<>(last.getHelp());
		help.add("Or wait longer: raise forward.lock.max-retries or forward.lock.retry-delay");
		return new LockException(
				LockErrorType.MAX_RETRIES_EXCEEDED, "Failed to acquire the lock after " + attempts + " attempt"
						+ ((attempts != 1) ? "s" : "") + ": " + last.getSummary(),
				last.getHolder(), last.getLockPath(), help, last);
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
	 * A held lock was lost.
	 * @param location the lock location
	 * @param detail why the lock is considered lost
	 * @param newHolder who holds it now, if known
	 * @return the exception
	 */
	public static LockException lockLost(String location, String detail, HolderRecord newHolder) {
		return new LockException(LockErrorType.LOCK_LOST, "The lock was lost: " + detail, newHolder, location,
				List.of("Find out who took the lock over, and why this instance looked hung or stale",
						"If the heartbeat is on, make sure forward.lock.stale-timeout is well above "
								+ "forward.lock.heartbeat.interval and above the longest GC pause"),
				null);
	}

}
