package io.forwardlock.lock.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.awaitility.Awaitility;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link JdbcLockBackend} on a data source that hands out one connection
 * without auto-commit again and again, ending no transaction on close, as a
 * single-connection data source does: nothing that one lock call leaves open may change
 * what the next one writes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JdbcLockSharedConnectionTests {

	@TempDir
	Path directory;

	@Test
	void renewalAfterAVerificationOnTheSameConnectionExpiresNoEarlierThanTheLocalDeadline() throws Exception {
		JdbcDataSource database = new JdbcDataSource();
		database.setURL("jdbc:h2:file:" + this.directory.resolve("forward-lock-" + UUID.randomUUID()));
		new JdbcLockSchemaInitializer(database, JdbcLockBackend.DEFAULT_TABLE_NAME).initialize();
		LockRequest request = LockRequest.named("orders")
			.heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(3))
			.build();
		try (Connection shared = database.getConnection()) {
			shared.setAutoCommit(false);
			JdbcLockBackend holder = new JdbcLockBackend(unclosing(shared));
			JdbcLockBackend contender = new JdbcLockBackend(database);
			LockLease lease = holder.tryAcquire(request).orElseThrow();
			lease.verify();
			long verified = System.nanoTime();
			// The next renewal, a heartbeat after the verification
			Awaitility.await()
				.atMost(Duration.ofSeconds(5))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> System.nanoTime() - verified > Duration.ofSeconds(1).toNanos());
			lease.heartbeat();
			LockLease taker = Awaitility.await()
				.atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> contender.tryAcquire(request).orElse(null), (acquired) -> acquired != null);
			// Another instance holds the lock: the holder must no longer believe it does
			assertThatExceptionOfType(LockException.class).as("the holder's lease once %s took over", taker)
				.isThrownBy(lease::ensureHeld);
			taker.release();
			holder.close();
			contender.close();
		}
	}

	/**
	 * A data source that always hands out the same connection and leaves it open when the
	 * caller closes it.
	 */
	private static DataSource unclosing(Connection shared) {
		Connection connection = (Connection) Proxy.newProxyInstance(
				JdbcLockSharedConnectionTests.class.getClassLoader(), new Class<?>[] { Connection.class },
				(proxy, method, args) -> {
					if (method.getName().equals("close")) {
						return null;
					}
					if (method.getName().equals("isClosed")) {
						return false;
					}
					return invoke(method, shared, args);
				});
		return (DataSource) Proxy.newProxyInstance(JdbcLockSharedConnectionTests.class.getClassLoader(),
				new Class<?>[] { DataSource.class }, (proxy, method, args) -> {
					if (method.getName().equals("getConnection")) {
						return connection;
					}
					throw new UnsupportedOperationException(method.getName());
				});
	}

	private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

}
