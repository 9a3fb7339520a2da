package io.forwardlock.lock.watch;

import java.time.Duration;

/**
 * How {@link LockWatchdog} reports a lease lost because a deadline passed.
 */
final class LockWatchdogDeadlines {

	private LockWatchdogDeadlines() {
	}

	/**
	 * Loss after checks that failed for too long.
	 * @param action {@code verify} or {@code heartbeat}
	 * @param silentMillis time since the last proof of the lease
	 * @param staleTimeout the stale timeout
	 * @param reason what went wrong
	 * @return the detail of the loss
	 */
	static String couldNot(String action, long silentMillis, Duration staleTimeout, String reason) {
		return "could not " + action + " the lock for " + silentMillis + " ms, "
				+ passed(silentMillis, "which exceeds", staleTimeout) + ": " + reason;
	}

	/**
	 * Loss at the deadline timer, with no renewal since.
	 * @param silentMillis time since the last renewal was sent
	 * @param staleTimeout the stale timeout
	 * @return the detail of the loss
	 */
	static String noRenewal(long silentMillis, Duration staleTimeout) {
		return "no renewal succeeded for " + silentMillis + " ms, "
				+ passed(silentMillis, "which reaches", staleTimeout) + "; another instance may hold the lock now";
	}

	/**
	 * Which deadline a silence passed: a lease may trust less than the stale timeout (a
	 * JDBC lease keeps a margin for the database's clock), and its own deadline then
	 * passes first.
	 */
	private static String passed(long silentMillis, String verb, Duration staleTimeout) {
		return (silentMillis >= staleTimeout.toMillis()) ? verb + " the stale timeout of " + staleTimeout
				: "and the lease's own deadline has passed (the stale timeout is " + staleTimeout + ")";
	}

}
