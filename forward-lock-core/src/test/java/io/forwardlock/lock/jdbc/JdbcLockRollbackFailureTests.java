package io.forwardlock.lock.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A connection whose rollback fails goes back to the pool as the pool handed it out: with
 * auto-commit on and the pool's isolation level, so that the next user of the pooled
 * connection does not run in a transaction that never commits. The first failure is the
 * one reported.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JdbcLockRollbackFailureTests {

	@AutoClose
	private final OneConnectionPool pool = new OneConnectionPool();

	private final JdbcLockBackend backend = this.pool.backend();

	@Test
	void aFailedRollbackStillGivesThePooledConnectionBackWithAutoCommitAndThePoolsIsolation() throws SQLException {
		LockLease held = this.backend.tryAcquire(request("holder")).orElseThrow();
		this.pool.failRollback.set(true);
		assertThatExceptionOfType(LockException.class).isThrownBy(() -> this.backend.tryAcquire(request("contender")))
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE));
		assertThat(this.pool.connection.getAutoCommit()).as("auto-commit of the pooled connection").isTrue();
		assertThat(this.pool.connection.getTransactionIsolation()).as("isolation of the pooled connection")
			.isEqualTo(Connection.TRANSACTION_REPEATABLE_READ);
		this.pool.failRollback.set(false);
		held.release();
	}

	@Test
	void aFailedRollbackAfterAFailedStatementReportsTheStatementsFailureWithTheRollbacksSuppressed()
			throws SQLException {
		try (Statement statement = this.pool.connection.createStatement()) {
			statement.execute("DROP TABLE FORWARD_LOCK");
		}
		this.pool.failRollback.set(true);
		assertThatExceptionOfType(LockException.class).isThrownBy(() -> this.backend.tryAcquire(request("holder")))
			.satisfies((ex) -> {
				assertThat(ex.getType()).isEqualTo(LockErrorType.INVALID_CONFIGURATION);
				assertThat(ex.getCause().getSuppressed()).extracting(Throwable::getMessage)
					.contains(OneConnectionPool.ROLLBACK_FAILED);
			});
		assertThat(this.pool.connection.getAutoCommit()).as("auto-commit of the pooled connection").isTrue();
		assertThat(this.pool.connection.getTransactionIsolation()).as("isolation of the pooled connection")
			.isEqualTo(Connection.TRANSACTION_REPEATABLE_READ);
	}

	private static LockRequest request(String instanceId) {
		return LockRequest.named("orders").instanceId(instanceId).build();
	}

}
