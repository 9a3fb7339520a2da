package io.forwardlock.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.jdbc.JdbcLockBackend;

/**
 * Child process of {@link JdbcTakeoverMeasurement}: acquires a JDBC lease, heartbeats it
 * like the starter does, prints {@code HELD <fencing token>} and runs until it is killed
 * or its standard input closes (so that it never outlives the measurement).
 * <p>
 * Arguments: JDBC URL, lock name, heartbeat interval, stale timeout (ISO-8601 durations).
 */
public final class JdbcLeaseHolder {

	private JdbcLeaseHolder() {
	}

	public static void main(String[] args) throws IOException {
		if (args.length != 4) {
			System.err.println("Usage: JdbcLeaseHolder <jdbc-url> <lock-name> <heartbeat> <stale-timeout>");
			System.exit(2);
		}
		Duration heartbeat = Duration.parse(args[2]);
		LockRequest request = LockRequest.named(args[1]).heartbeat(heartbeat, Duration.parse(args[3])).build();
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl(args[0]);
		dataSource.setMaximumPoolSize(2);
		LockLease lease = JdbcLocks.acquire(new JdbcLockBackend(dataSource), request);
		ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
		heartbeats.scheduleAtFixedRate(lease::heartbeat, heartbeat.toMillis(), heartbeat.toMillis(),
				TimeUnit.MILLISECONDS);
		System.out.println("HELD " + lease.fencingToken().orElse(-1));
		System.out.flush();
		while (System.in.read() != -1) {
			// the parent never writes; end of input means the parent is gone
		}
		heartbeats.shutdownNow();
		lease.release();
		dataSource.close();
	}

}
