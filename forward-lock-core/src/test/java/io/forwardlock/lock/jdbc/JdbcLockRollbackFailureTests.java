package io.forwardlock.lock.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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

	private final OneConnectionPool pool = new OneConnectionPool();

	private final JdbcLockBackend backend = new JdbcLockBackend(this.pool.dataSource);

	@BeforeEach
	void allowTheInMemoryDatabase() {
		this.backend.setAllowInMemoryDatabase(true);
	}

	@AfterEach
	void closeThePool() throws SQLException {
		this.backend.close();
		try (Statement statement = this.pool.connection.createStatement()) {
			statement.execute("SHUTDOWN");
		}
	}

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

	/**
	 * A pool of one H2 connection, handed out with auto-commit on at REPEATABLE READ,
	 * whose rollback can be made to fail; closing gives it back without closing it.
	 */
	private static final class OneConnectionPool {

		static final String ROLLBACK_FAILED = "Rollback failed (test)";

		final Connection connection;

		final AtomicBoolean failRollback = new AtomicBoolean();

		final DataSource dataSource = proxy(DataSource.class, (method) -> switch (method.getName()) {
			case "getConnection" -> pooledConnection();
			case "toString" -> "OneConnectionPool";
			default -> throw new UnsupportedOperationException(method.getName());
		});

		OneConnectionPool() {
			JdbcDataSource h2 = new JdbcDataSource();
			h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
			try {
				this.connection = h2.getConnection();
				this.connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
			new JdbcLockSchemaInitializer(this.dataSource).initialize();
		}

		private Connection pooledConnection() {
			return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
					(proxy, method, args) -> {
						switch (method.getName()) {
							case "close":
								return null;
							case "isClosed":
								return false;
							case "rollback":
								if (this.failRollback.get()) {
									throw new SQLException(ROLLBACK_FAILED, "08006");
								}
								break;
							default:
								break;
						}
						try {
							return method.invoke(this.connection, args);
						}
						catch (InvocationTargetException ex) {
							throw ex.getCause();
						}
					});
		}

		private static <T> T proxy(Class<T> type, Function<Method, Object> answer) {
			return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type },
					(proxy, method, args) -> answer.apply(method)));
		}

	}

}
