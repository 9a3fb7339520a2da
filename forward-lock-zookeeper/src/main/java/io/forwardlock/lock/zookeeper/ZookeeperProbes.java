package io.forwardlock.lock.zookeeper;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the probes with which held leases, and waiting standbys, keep
 * {@link LeaderCountedRequests} up to date: one daemon thread, since a probe only sends
 * an asynchronous request.
 */
final class ZookeeperProbes {

	private static final ScheduledExecutorService PROBES = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "forward-lock-zookeeper-probe");
		thread.setDaemon(true);
		return thread;
	});

	private ZookeeperProbes() {
	}

	/**
	 * How often to probe: every sixteenth of the session timeout. The deadline is then
	 * dated from the request five probes back, at least a proof gap (a quarter and a
	 * twentieth) before the latest confirmation, which leaves between 5/8 and 11/16 of
	 * the session timeout, less the margin, between a healthy lease and its deadline.
	 * @param sessionTimeout the session timeout the ensemble granted
	 * @return the period, at least 20 ms
	 */
	static Duration period(Duration sessionTimeout) {
		return Duration.ofMillis(Math.max(20, sessionTimeout.toMillis() / 16));
	}

	/**
	 * Run a probe every {@link #period(Duration) period}, the first one a period from
	 * now.
	 * @param sessionTimeout the session timeout the ensemble granted
	 * @param probe the probe
	 * @return the schedule, to cancel
	 */
	static ScheduledFuture<?> every(Duration sessionTimeout, Runnable probe) {
		long period = period(sessionTimeout).toMillis();
		return PROBES.scheduleWithFixedDelay(probe, period, period, TimeUnit.MILLISECONDS);
	}

	/**
	 * Run a probe now, in the background.
	 * @param probe the probe
	 */
	static void now(Runnable probe) {
		PROBES.execute(probe);
	}

}
