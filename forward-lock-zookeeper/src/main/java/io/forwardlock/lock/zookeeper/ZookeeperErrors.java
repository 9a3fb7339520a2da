package io.forwardlock.lock.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;

/**
 * The failures of {@link ZookeeperLockBackend}, worded without a configuration model:
 * what happened, and what to check on the ensemble.
 */
final class ZookeeperErrors {

	private ZookeeperErrors() {
	}

	/**
	 * See {@link ZookeeperLockBackend#instanceRunningHelp(HolderRecord, Duration)}.
	 */
	static List<String> instanceRunningHelp(@Nullable HolderRecord holder, @Nullable Duration sessionTimeout) {
		List<String> help = new ArrayList<>();
		if (holder != null && holder.hasPid()) {
			help.add("Stop the running instance first: PID " + holder.pid() + " on "
					+ ((holder.hostname() != null) ? holder.hostname() : "an unknown host")
					+ "; its lock node goes away when it stops");
		}
		else {
			help.add("Stop the running instance first; its lock node goes away when it stops");
		}
		help.add("If that instance crashed or its host is gone, the ensemble deletes its node when its session "
				+ "expires"
				+ ((sessionTimeout != null) ? ", about " + sessionTimeout + " after it was last heard of" : "")
				+ "; start again then, or wait for the lock on standby");
		return help;
	}

	/**
	 * See
	 * {@link ZookeeperLockBackend#ensembleUnreachable(String, Duration, String, Throwable)}.
	 */
	static LockException ensembleUnreachable(String connectString, Duration connectionTimeout, String location,
			@Nullable Throwable cause) {
		return new LockException(LockErrorType.BACKEND_UNAVAILABLE,
				"Could not reach the ZooKeeper ensemble at " + connectString + " within " + connectionTimeout, null,
				location,
				List.of("Check that the ZooKeeper servers " + connectString
						+ " are running and reachable from this host (name resolution, firewalls), for example "
						+ "with nc -vz <host> <port>",
						"Check the connect string: comma-separated host:port pairs, such as "
								+ "zk1:2181,zk2:2181,zk3:2181",
						"If the ensemble is only slow to answer, allow more than " + connectionTimeout + " to connect"),
				cause);
	}

	/**
	 * A call to the ensemble failed.
	 */
	static LockException unavailable(String connectString, String location, String what, Throwable cause) {
		if (cause instanceof InterruptedException) {
			Thread.currentThread().interrupt();
		}
		return new LockException(LockErrorType.BACKEND_UNAVAILABLE, "Failed to " + what + " in ZooKeeper", null,
				location, List.of("Check that the ZooKeeper ensemble " + connectString + " is healthy and reachable",
						"Check the application log for the underlying error"),
				cause);
	}

	/**
	 * The client did not tell the session timeout, without which a lease could not know
	 * when to give up.
	 */
	static LockException sessionTimeoutUnknown(String location) {
		return new LockException(LockErrorType.BACKEND_UNAVAILABLE,
				"The ZooKeeper client did not report the session timeout the ensemble granted", null, location,
				List.of("Try again; check the ZooKeeper client and server versions"), null);
	}

	/**
	 * The client was closed before the lock was asked for.
	 */
	static LockException clientClosed(String location) {
		return new LockException(LockErrorType.BACKEND_UNAVAILABLE, "The ZooKeeper client is closed", null, location,
				List.of("The application is shutting down, or closed the CuratorFramework it gave the lock"), null);
	}

}
