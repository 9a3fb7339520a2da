package io.forwardlock.lock.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A commit is bounded by no statement's query timeout, and acquisitions and releases run
 * on the caller's thread (start-up, shutdown): a commit that hangs on a dead connection
 * must not block them without bound.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JdbcLockHungCommitTests {

	private static final Duration BOUND = Duration.ofSeconds(10);

	@AutoClose
	private final OneConnectionPool pool = new OneConnectionPool();

	private final JdbcLockBackend backend = this.pool.backend();

	private final LockRequest request = LockRequest.named("orders")
		.heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(3))
		.build();

	@Test
	void aCommitThatHangsCannotBlockAnAcquisitionWithoutBound() {
		this.pool.hang.add("commit");
		CompletableFuture<?> acquisition = CompletableFuture.supplyAsync(() -> this.backend.tryAcquire(this.request));
		assertThat(acquisition).failsWithin(BOUND)
			.withThrowableOfType(ExecutionException.class)
			.havingCause()
			.isInstanceOfSatisfying(LockException.class,
					(ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE));
	}

	@Test
	void thePooledConnectionGetsItsNetworkTimeoutBack() throws SQLException {
		this.pool.connection.setAutoCommit(false);
		this.backend.tryAcquire(this.request).orElseThrow().release();
		try (Connection connection = this.pool.dataSource.getConnection()) {
			assertThat(connection.getNetworkTimeout()).isZero();
			assertThat(connection.getAutoCommit()).isFalse();
		}
	}

	@Test
	void aCommitThatHangsCannotBlockAReleaseWithoutBound() throws SQLException {
		LockLease lease = this.backend.tryAcquire(this.request).orElseThrow();
		// a pool that hands out connections without auto-commit, as next to JPA
		this.pool.connection.setAutoCommit(false);
		this.pool.hang.add("commit");
		CompletableFuture<?> release = CompletableFuture.runAsync(lease::release);
		assertThat(release).failsWithin(BOUND)
			.withThrowableOfType(ExecutionException.class)
			.havingCause()
			.isInstanceOfSatisfying(LockException.class,
					(ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.RELEASE_FAILED));
	}

}
