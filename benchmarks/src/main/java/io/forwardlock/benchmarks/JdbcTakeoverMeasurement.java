package io.forwardlock.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.jdbc.JdbcLockBackend;

/**
 * Takeover time of the JDBC backend with real processes on embedded PostgreSQL: a child
 * JVM ({@link JdbcLeaseHolder}) holds and heartbeats a lease, it is killed with SIGKILL
 * at a random point of its heartbeat cycle, and this process, on standby the way the
 * starter waits ({@code acquireBlocking} polling every {@code forward.lock.retry-delay}),
 * measures the time from the kill until it holds the lock. It also checks that the
 * fencing token went up.
 * <p>
 * Run: {@code java -cp benchmarks/target/benchmarks.jar
 * io.forwardlock.benchmarks.JdbcTakeoverMeasurement [runs] [stale-timeout] [heartbeat]
 * [retry-delay]}, durations in ISO-8601 ({@code PT4S}). Prints one CSV line
 * {@code takeover.jdbc,<run>,<ms>} per run on standard output, progress on standard
 * error. The bound is stale timeout plus one heartbeat interval.
 */
public final class JdbcTakeoverMeasurement {

	private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);

	private final PostgresDatabase database = new PostgresDatabase();

	private final Duration staleTimeout;

	private final Duration heartbeat;

	private final Duration retryDelay;

	private JdbcTakeoverMeasurement(Duration staleTimeout, Duration heartbeat, Duration retryDelay) {
		this.staleTimeout = staleTimeout;
		this.heartbeat = heartbeat;
		this.retryDelay = retryDelay;
	}

	public static void main(String[] args) throws Exception {
		int runs = (args.length > 0) ? Integer.parseInt(args[0]) : 10;
		Duration staleTimeout = Duration.parse((args.length > 1) ? args[1] : "PT4S");
		Duration heartbeat = Duration.parse((args.length > 2) ? args[2] : "PT1S");
		Duration retryDelay = Duration.parse((args.length > 3) ? args[3] : "PT1S");
		JdbcTakeoverMeasurement measurement = new JdbcTakeoverMeasurement(staleTimeout, heartbeat, retryDelay);
		measurement.database.start();
		ExecutorService standby = Executors.newSingleThreadExecutor();
		try {
			for (int run = 1; run <= runs; run++) {
				double millis = measurement.measureOnce(standby, "takeover-" + run);
				System.out.printf("takeover.jdbc,%d,%.1f%n", run, millis);
				System.err.printf("jdbc takeover run %d/%d done%n", run, runs);
			}
		}
		finally {
			standby.shutdownNow();
			measurement.database.stop();
		}
	}

	private double measureOnce(ExecutorService standby, String lockName)
			throws IOException, InterruptedException, ExecutionException, TimeoutException {
		Process holder = startHolder(lockName);
		try {
			long holderToken = awaitHeld(holder);
			// Kill at a random point of the heartbeat cycle, as a crash would.
			Thread.sleep(ThreadLocalRandom.current().nextLong(this.heartbeat.toMillis() + 1));
			JdbcLockBackend backend = JdbcLocks.forwardLock(this.database.dataSource());
			LockRequest request = LockRequest.named(lockName).heartbeat(this.heartbeat, this.staleTimeout).build();
			long killedAt = System.nanoTime();
			holder.destroyForcibly();
			Future<LockLease> takeover = standby.submit(() -> backend.acquireBlocking(request, this.retryDelay));
			try (LockLease lease = takeover.get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				long heldAt = System.nanoTime();
				long token = lease.fencingToken().orElse(-1);
				if (token <= holderToken) {
					throw new IllegalStateException(
							"Fencing token did not increase on takeover: " + holderToken + " then " + token);
				}
				return (heldAt - killedAt) / 1_000_000.0;
			}
			finally {
				takeover.cancel(true);
			}
		}
		finally {
			holder.destroyForcibly();
			holder.waitFor(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	private Process startHolder(String lockName) throws IOException {
		String java = ProcessHandle.current().info().command().orElse("java");
		List<String> command = new ArrayList<>(
				List.of(java, "-cp", System.getProperty("java.class.path"), JdbcLeaseHolder.class.getName(),
						this.database.jdbcUrl(), lockName, this.heartbeat.toString(), this.staleTimeout.toString()));
		return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
	}

	private long awaitHeld(Process holder) throws InterruptedException, ExecutionException, TimeoutException {
		BufferedReader output = new BufferedReader(
				new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
		ExecutorService reader = Executors.newSingleThreadExecutor();
		try {
			String line = reader.submit(output::readLine).get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			if (line == null || !line.startsWith("HELD ")) {
				throw new IllegalStateException("Lease holder did not report the lock: " + line);
			}
			return Long.parseLong(line.substring(5).trim());
		}
		finally {
			reader.shutdownNow();
		}
	}

}
