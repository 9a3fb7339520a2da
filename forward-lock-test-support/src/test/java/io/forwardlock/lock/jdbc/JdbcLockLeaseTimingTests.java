package io.forwardlock.lock.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.awaitility.Awaitility;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.watch.LockWatchdog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Tests for the local deadline and the isolation of {@link JdbcLockLease} and
 * {@link JdbcLockBackend} statements, against H2 behind a data source that behaves like a
 * slow or differently configured pool.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JdbcLockLeaseTimingTests {

	private final JdbcDataSource database = new JdbcDataSource();

	private final List<Integer> isolations = new CopyOnWriteArrayList<>();

	private volatile Duration connectionWait = Duration.ZERO;

	private volatile Runnable beforeCommit = () -> {
	};

	private volatile Consumer<String> beforePrepare = (sql) -> {
	};

	@BeforeEach
	void createDatabase() {
		this.database.setURL("jdbc:h2:mem:forward-lock-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		new JdbcLockSchemaInitializer(this.database, JdbcLockBackend.DEFAULT_TABLE_NAME).initialize();
	}

	@Test
	void leaseIsCountedFromWhenTheStatementIsSentNotFromBeforeTheWaitForAConnection() {
		this.connectionWait = Duration.ofSeconds(3);
		LockRequest request = LockRequest.named("orders")
			.heartbeat(Duration.ofSeconds(5), Duration.ofSeconds(20))
			.build();
		JdbcLockBackend backend = backend();
		LockLease lease = backend.tryAcquire(request).orElseThrow();
		// Counted from before the wait, 3 s of the lease would already be gone
		assertThat(lease.timeLeft()).hasValueSatisfying(
				(left) -> assertThat(left).isGreaterThan(Duration.ofSeconds(20).minus(Duration.ofMillis(2500))));
		this.connectionWait = Duration.ZERO;
		lease.release();
	}

	@Test
	void acquisitionWhoseCommitIsAnsweredAfterTheLeaseRanOutHandsOutNoLease() {
		LockRequest request = LockRequest.named("orders")
			.heartbeat(Duration.ofMillis(500), Duration.ofSeconds(1))
			.build();
		JdbcLockBackend slow = backend();
		// Stands for a commit whose answer is held up (a slow network, a stalled server)
		// until the lease the row was written with has run out in the database
		this.beforeCommit = () -> {
			long written = System.nanoTime();
			Awaitility.await()
				.atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> System.nanoTime() - written > Duration.ofMillis(1200).toNanos());
		};
		AtomicReference<Optional<LockLease>> handedOut = new AtomicReference<>();
		Throwable late = catchThrowable(() -> handedOut.set(slow.tryAcquire(request)));
		this.beforeCommit = () -> {
		};
		JdbcLockBackend other = backend();
		LockLease taker = other.tryAcquire(request).orElseThrow();
		// The row had expired by the time it was committed: another instance takes over
		// at once, so the late acquisition must not have handed out a lease
		assertThat(taker.fencingToken()).hasValue(2);
		assertThat(late).as("failure of the late acquisition, which handed out %s", handedOut.get())
			.isInstanceOf(LockException.class)
			.extracting((ex) -> ((LockException) ex).getType())
			.isEqualTo(LockErrorType.BACKEND_UNAVAILABLE);
		taker.release();
	}

	@Test
	void renewalRefusedAfterTheWatchdogStoppedAndTheLeaseWasReleasedReportsNoLoss() throws Exception {
		LockRequest request = LockRequest.named("orders")
			.heartbeat(Duration.ofSeconds(5), Duration.ofSeconds(20))
			.build();
		JdbcLockBackend backend = backend();
		LockLease lease = backend.tryAcquire(request).orElseThrow();
		CountDownLatch renewalSent = new CountDownLatch(1);
		CountDownLatch renewalGoesOn = new CountDownLatch(1);
		// Stands for a renewal that is slow to reach the database, longer than a shutdown
		// waits for the watchdog's checks to finish
		this.beforePrepare = (sql) -> {
			if (sql.contains("renewed_at =")) {
				renewalSent.countDown();
				awaitQuietly(renewalGoesOn);
			}
		};
		List<String> losses = new CopyOnWriteArrayList<>();
		ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
		try {
			LockWatchdog watchdog = new LockWatchdog(lease, request, Duration.ofHours(1), true, System.nanoTime(),
					scheduler, new LockWatchdog.Listener() {

						@Override
						public void lost(String detail, HolderRecord newHolder) {
							losses.add(detail);
						}

					});
			Future<?> heartbeat = scheduler.submit(watchdog::heartbeatNow);
			assertThat(renewalSent.await(10, TimeUnit.SECONDS)).isTrue();
			// A clean shutdown: the watch ends, then the lease is released
			watchdog.stop();
			lease.release();
			renewalGoesOn.countDown();
			heartbeat.get(10, TimeUnit.SECONDS);
			assertThat(losses).as("losses reported after a clean release").isEmpty();
		}
		finally {
			renewalGoesOn.countDown();
			scheduler.shutdownNow();
			backend.close();
		}
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Test
	void lockStatementsRunAtReadCommittedWhateverThePoolDefault() {
		DataSource serializable = pool(Connection.TRANSACTION_SERIALIZABLE);
		LockRequest request = LockRequest.named("orders")
			.heartbeat(Duration.ofSeconds(5), Duration.ofSeconds(20))
			.build();
		JdbcLockBackend backend = new JdbcLockBackend(serializable);
		backend.setAllowInMemoryDatabase(true);
		LockLease lease = backend.tryAcquire(request).orElseThrow();
		lease.heartbeat();
		assertThat(lease.verify().isHeld()).isTrue();
		assertThat(backend.inspect(request)).isPresent();
		lease.release();
		assertThat(this.isolations).isNotEmpty().containsOnly(Connection.TRANSACTION_READ_COMMITTED);
	}

	/**
	 * A backend on a pool at READ COMMITTED, on the in-memory database of this test.
	 */
	private JdbcLockBackend backend() {
		JdbcLockBackend backend = new JdbcLockBackend(pool(Connection.TRANSACTION_READ_COMMITTED));
		backend.setAllowInMemoryDatabase(true);
		return backend;
	}

	/**
	 * A pool that hands out connections at the given isolation, after the configured
	 * wait, and records the isolation of every statement prepared on them.
	 */
	private DataSource pool(int defaultIsolation) {
		return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { DataSource.class },
				(proxy, method, args) -> {
					if (!method.getName().equals("getConnection")) {
						return invoke(method, this.database, args);
					}
					long waitMillis = this.connectionWait.toMillis();
					if (waitMillis > 0) {
						// Stands for a pool that has no connection to hand out yet
						Thread.sleep(waitMillis);
					}
					Connection connection = this.database.getConnection();
					connection.setTransactionIsolation(defaultIsolation);
					return recording(connection);
				});
	}

	private Connection recording(Connection connection) {
		return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
				(proxy, method, args) -> {
					if (method.getName().equals("commit")) {
						this.beforeCommit.run();
					}
					if (method.getName().startsWith("prepare")) {
						this.beforePrepare.accept((String) args[0]);
						this.isolations.add(connection.getTransactionIsolation());
					}
					return invoke(method, connection, args);
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
