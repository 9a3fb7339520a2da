package io.forwardlock.lock.jdbc;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.InstanceLock;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A standby waits for a lock held in PostgreSQL while the server restarts: it must ride
 * out the outage and take over once the holder's lease has run out, instead of ending
 * with the first connection failure.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class JdbcStandbyOutageTests {

	private PostgresTestDatabase database;

	@BeforeEach
	void startDatabase() {
		this.database = PostgresTestDatabase.start();
	}

	@AfterEach
	void stopDatabase() {
		this.database.close();
	}

	@Test
	void standbyRidesOutADatabaseRestartAndTakesOverAfterwards() throws Exception {
		LockRequest request = LockRequest.named("orders")
			.heartbeat(Duration.ofSeconds(2), Duration.ofSeconds(6))
			.build();
		// A holder that never renews: its lease runs out 6 s after it was taken
		LockLease holder = new JdbcLockBackend(this.database.dataSource()).tryAcquire(request).orElseThrow();
		List<LockErrorType> retried = new CopyOnWriteArrayList<>();
		InstanceLock standby = new InstanceLock(new JdbcLockBackend(this.database.dataSource()), request);
		CompletableFuture<LockLease> taken = CompletableFuture.supplyAsync(() -> {
			try {
				return standby.acquireOnStandby(Duration.ofMillis(200),
						(failure, inARow, pause) -> retried.add(failure.getType()));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		});
		this.database.stop();
		await().atMost(Duration.ofSeconds(60)).until(() -> !retried.isEmpty() || taken.isDone());
		assertThat(taken).isNotDone();
		this.database.restart();
		LockLease lease = taken.get(120, TimeUnit.SECONDS);
		assertThat(retried).isNotEmpty().containsOnly(LockErrorType.BACKEND_UNAVAILABLE);
		assertThat(lease.fencingToken().getAsLong()).isGreaterThan(holder.fencingToken().getAsLong());
		assertThat(standby.isAcquired()).isTrue();
		standby.release();
	}

}
