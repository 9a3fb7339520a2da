package io.forwardlock.lock.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.InstanceLock;
import io.forwardlock.lock.LeaseDeadline;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockBackendContractTests;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link LockBackendContractTests} for {@link JdbcLockBackend}, plus what every supported
 * database must show on top: leases judged by the database's clock, fencing tokens,
 * holder ids and loss detection. A subclass per database provides the data source.
 */
abstract class JdbcLockBackendContractTests extends LockBackendContractTests {

	private static final Duration LONG_LEASE = Duration.ofSeconds(60);

	/**
	 * Lease of external holders: how long a vanished holder blocks the lock. Its
	 * heartbeat runs every quarter of it, which leaves room for a loaded machine.
	 */
	protected static final Duration SHORT_LEASE = Duration.ofSeconds(4);

	private String lockName;

	/**
	 * Data source of the database under test, with the default lock table created.
	 * @return the data source
	 */
	protected abstract DataSource dataSource();

	@Override
	protected LockBackend createBackend() {
		return new JdbcLockBackend(dataSource());
	}

	@Override
	protected boolean supportsFencingTokens() {
		return true;
	}

	@Override
	protected Duration takeoverTimeout() {
		return SHORT_LEASE;
	}

	/**
	 * An external holder in this JVM: another backend instance and instance id that
	 * renews its lease on its own thread until it vanishes without releasing.
	 */
	@Override
	protected ExternalHolder startExternalHolder(LockRequest request) throws Exception {
		LockRequest own = LockRequest.named(request.name())
			.applicationName("external-holder")
			.heartbeat(SHORT_LEASE.dividedBy(4), SHORT_LEASE)
			.build();
		LockLease lease = new JdbcLockBackend(dataSource()).tryAcquire(own).orElseThrow();
		ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
		heartbeat.scheduleWithFixedDelay(lease::heartbeat, own.heartbeatInterval().toMillis(),
				own.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS);
		return new ExternalHolder() {

			@Override
			public void vanish() {
				heartbeat.shutdownNow();
			}

			@Override
			public long pid() {
				return lease.holder().pid();
			}

			@Override
			public void close() {
				heartbeat.shutdownNow();
			}

		};
	}

	/**
	 * Takes the lock over the way a contender does once the lease has expired, after
	 * expiring the lease in the database.
	 */
	@Override
	protected void breakLease(LockLease lease, LockRequest request) throws Exception {
		update("UPDATE FORWARD_LOCK SET expires_at = " + now() + " - " + interval(1000) + " WHERE lock_name = ?",
				request.name());
		track(createBackend().tryAcquire(request(request.name())).orElseThrow());
	}

	@BeforeEach
	void useFreshLockName() {
		this.lockName = "lock-" + UUID.randomUUID();
	}

	protected JdbcLockBackend backend() {
		return (JdbcLockBackend) createBackend();
	}

	private LockRequest request(Duration lease) {
		return LockRequest.named(this.lockName)
			.applicationName("contract-test")
			.heartbeat(lease.dividedBy(4), lease)
			.build();
	}

	@Test
	void firstAcquisitionGetsTokenOneAndRecordsHolderInTheRow() throws SQLException {
		LockRequest request = request(LONG_LEASE);
		try (LockLease lease = backend().tryAcquire(request).orElseThrow()) {
			assertThat(lease.fencingToken()).hasValue(1);
			assertThat(lease.backendId()).isEqualTo("jdbc");
			assertThat(lease.location()).contains("FORWARD_LOCK").contains(this.lockName);
			assertThat(lease.holder().pid()).isEqualTo(ProcessHandle.current().pid());
			assertThat(lease.holder().instanceId()).isEqualTo(request.instanceId());
			assertThat(lease.holder().acquiredAt()).isNotNull();
			assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
			assertThat(queryString("SELECT holder_id FROM FORWARD_LOCK WHERE lock_name = ?"))
				.isEqualTo(request.instanceId());
			assertThat(queryString("SELECT application_name FROM FORWARD_LOCK WHERE lock_name = ?"))
				.isEqualTo("contract-test");
		}
	}

	@Test
	void holderIdsOfTwoInstancesOnOneHostDiffer() throws SQLException {
		JdbcLockBackend backend = backend();
		LockRequest first = request(LONG_LEASE);
		LockRequest second = request(LONG_LEASE);
		String firstHolder;
		try (LockLease lease = backend.tryAcquire(first).orElseThrow()) {
			firstHolder = queryString("SELECT holder_id FROM FORWARD_LOCK WHERE lock_name = ?");
		}
		try (LockLease lease = backend.tryAcquire(second).orElseThrow()) {
			String secondHolder = queryString("SELECT holder_id FROM FORWARD_LOCK WHERE lock_name = ?");
			assertThat(secondHolder).isNotEqualTo(firstHolder);
			assertThat(lease.holder().hostname()).isEqualTo(HolderRecord.localHostname());
		}
	}

	@Test
	void fencingTokenCountsEveryAcquisitionAcrossReleaseAndTakeover() throws SQLException {
		JdbcLockBackend backend = backend();
		for (int expected = 1; expected <= 3; expected++) {
			LockLease lease = backend.tryAcquire(request(LONG_LEASE)).orElseThrow();
			assertThat(lease.fencingToken()).hasValue(expected);
			lease.release();
		}
		LockLease abandoned = backend.tryAcquire(request(LONG_LEASE)).orElseThrow();
		assertThat(abandoned.fencingToken()).hasValue(4);
		expireInDatabase();
		try (LockLease taken = backend.tryAcquire(request(LONG_LEASE)).orElseThrow()) {
			assertThat(taken.fencingToken()).hasValue(5);
		}
	}

	@Test
	void heartbeatAfterReleaseDoesNothing() {
		JdbcLockBackend backend = backend();
		LockLease lease = backend.tryAcquire(request(LONG_LEASE)).orElseThrow();
		lease.release();
		lease.heartbeat();
		assertThat(backend.inspect(request(LONG_LEASE))).isEmpty();
	}

	@Test
	void takeoverHappensOnceTheDatabaseSaysTheLeaseExpired() throws SQLException {
		JdbcLockBackend backend = backend();
		LockLease vanished = backend.tryAcquire(request(LONG_LEASE)).orElseThrow();
		LockRequest contender = request(LONG_LEASE);
		assertThat(backend.tryAcquire(contender)).isEmpty();
		// The holder vanished without releasing; only the database's clock decides when
		// its lease is over, and here the database is told it is over already.
		expireInDatabase();
		try (LockLease taken = backend.tryAcquire(contender).orElseThrow()) {
			assertThat(taken.fencingToken()).hasValue(2);
			Verification verification = vanished.verify();
			assertThat(verification.status()).isEqualTo(Verification.Status.LOST);
			assertThat(verification.currentHolder().instanceId()).isEqualTo(contender.instanceId());
			assertThatExceptionOfType(LockException.class).isThrownBy(vanished::heartbeat)
				.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
			// The stale lease's release must not free the new holder's row.
			vanished.release();
			assertThat(taken.verify().status()).isEqualTo(Verification.Status.HELD);
			assertThat(backend.inspect(contender).orElseThrow().instanceId()).isEqualTo(contender.instanceId());
		}
	}

	@Test
	void takeoverHappensAfterTheLeaseRunsOutWithoutRenewal() {
		JdbcLockBackend backend = backend();
		Duration lease = Duration.ofMillis(1500);
		long start = System.nanoTime();
		LockLease vanished = backend.tryAcquire(request(lease)).orElseThrow();
		LockRequest contender = request(lease);
		LockLease taken = await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> backend.tryAcquire(contender), Optional::isPresent)
			.orElseThrow();
		// The database's clock and this one run at the same rate: allow only for
		// rounding.
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(lease.minusMillis(20));
		assertThat(taken.fencingToken().orElseThrow()).isGreaterThan(vanished.fencingToken().orElseThrow());
		assertThat(vanished.verify().isHeld()).isFalse();
		taken.release();
	}

	@Test
	void heartbeatKeepsTheLeaseAliveBeyondItsDuration() throws SQLException {
		JdbcLockBackend backend = backend();
		LockLease lease = backend.tryAcquire(request(LONG_LEASE)).orElseThrow();
		setExpiresInMillis(800);
		lease.heartbeat();
		// The renewal moved the expiry a full lease ahead, judged by the database clock.
		assertThat(queryInt("SELECT CASE WHEN expires_at > " + now() + " + " + interval(30_000)
				+ " THEN 1 ELSE 0 END FROM FORWARD_LOCK WHERE lock_name = ?"))
			.isEqualTo(1);
		assertThat(backend.tryAcquire(request(LONG_LEASE))).isEmpty();
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
		lease.release();
	}

	@Test
	void heartbeatThatFindsTheLeaseExpiredReportsTheLockLost() throws SQLException {
		JdbcLockBackend backend = backend();
		LockLease lease = backend.tryAcquire(request(LONG_LEASE)).orElseThrow();
		expireInDatabase();
		assertThatExceptionOfType(LockException.class).isThrownBy(lease::heartbeat)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.LOST);
		lease.release();
	}

	@Test
	void unreachableDatabaseIsToleratedUntilTheLocalDeadlineThenTheLeaseIsLost() {
		SwitchableDataSource dataSource = new SwitchableDataSource(dataSource());
		JdbcLockBackend backend = new JdbcLockBackend(dataSource);
		Duration leaseDuration = Duration.ofSeconds(3);
		long beforeAcquire = System.nanoTime();
		LockLease lease = backend.tryAcquire(request(leaseDuration)).orElseThrow();
		dataSource.setReachable(false);
		List<LockErrorType> failures = new ArrayList<>();
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
			try {
				return !lease.verify().isHeld();
			}
			catch (LockException ex) {
				failures.add(ex.getType());
				return false;
			}
		});
		Duration lostAfter = Duration.ofNanos(System.nanoTime() - beforeAcquire);
		// The holder trusts its lease less a safety margin
		// (LeaseDeadline.trustedLease)
		assertThat(lostAfter).isGreaterThanOrEqualTo(LeaseDeadline.trustedLease(leaseDuration));
		assertThat(failures).isNotEmpty().containsOnly(LockErrorType.BACKEND_UNAVAILABLE);
		assertThatExceptionOfType(LockException.class).isThrownBy(lease::heartbeat)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
		// Once lost, a lease stays lost even when the database answers again.
		dataSource.setReachable(true);
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.LOST);
		lease.release();
	}

	@Test
	void hungDatabaseCannotKeepTheHolderWaitingBeyondItsLease() {
		SwitchableDataSource dataSource = new SwitchableDataSource(dataSource());
		JdbcLockBackend backend = new JdbcLockBackend(dataSource);
		Duration leaseDuration = Duration.ofSeconds(3);
		long beforeAcquire = System.nanoTime();
		LockLease lease = backend.tryAcquire(request(leaseDuration)).orElseThrow();
		dataSource.hang();
		try {
			Verification verification = lease.verify();
			Duration answeredAfter = Duration.ofNanos(System.nanoTime() - beforeAcquire);
			assertThat(verification.status()).isEqualTo(Verification.Status.LOST);
			assertThat(answeredAfter).isGreaterThanOrEqualTo(LeaseDeadline.trustedLease(leaseDuration))
				.isLessThan(leaseDuration.plusSeconds(3));
			assertThatExceptionOfType(LockException.class).isThrownBy(lease::heartbeat)
				.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
		}
		finally {
			dataSource.resume();
		}
		lease.release();
	}

	@Test
	void connectionsWithoutAutoCommitStillPublishEveryChange() {
		// Closing a connection rolls back whatever it did not commit.
		SwitchableDataSource dataSource = new SwitchableDataSource(dataSource());
		dataSource.setAutoCommit(false);
		JdbcLockBackend backend = new JdbcLockBackend(dataSource);
		JdbcLockBackend other = backend();
		LockLease lease = backend.tryAcquire(request(LONG_LEASE)).orElseThrow();
		assertThat(other.tryAcquire(request(LONG_LEASE))).isEmpty();
		lease.heartbeat();
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
		lease.release();
		try (LockLease next = other.tryAcquire(request(LONG_LEASE)).orElseThrow()) {
			assertThat(next.fencingToken()).hasValue(2);
		}
	}

	@Test
	void refusalNamesTheHolderHostAndPid() {
		JdbcLockBackend backend = backend();
		try (LockLease lease = backend.tryAcquire(request(LONG_LEASE)).orElseThrow()) {
			InstanceLock other = new InstanceLock(backend, request(LONG_LEASE));
			assertThatExceptionOfType(LockException.class).isThrownBy(() -> other.acquire(0, Duration.ofMillis(1)))
				.satisfies((ex) -> {
					assertThat(ex.getType()).isEqualTo(LockErrorType.INSTANCE_RUNNING);
					assertThat(ex.getPid()).isEqualTo(ProcessHandle.current().pid());
					assertThat(ex.getHost()).isEqualTo(HolderRecord.localHostname());
					assertThat(ex.getMessage()).contains("PID " + ProcessHandle.current().pid())
						.contains(HolderRecord.localHostname())
						.contains(this.lockName);
					// A crashed holder keeps a lease, unlike a lock file, until it runs
					// out
					assertThat(ex.getHelp())
						.anySatisfy((help) -> assertThat(help).contains("lease runs out").contains("staleTimeout"));
					assertThat(ex.getMessage()).doesNotContain("lock file").doesNotContain("FileLockBackend");
				});
		}
	}

	@Test
	void inspectSeesNoHolderOnceTheLeaseIsReleasedOrExpired() throws SQLException {
		JdbcLockBackend backend = backend();
		assertThat(backend.inspect(request(LONG_LEASE))).isEmpty();
		LockLease lease = backend.tryAcquire(request(LONG_LEASE)).orElseThrow();
		assertThat(backend.inspect(request(LONG_LEASE)))
			.hasValueSatisfying((holder) -> assertThat(holder.pid()).isEqualTo(ProcessHandle.current().pid()));
		expireInDatabase();
		assertThat(backend.inspect(request(LONG_LEASE))).isEmpty();
		lease.release();
	}

	@Test
	void missingTableIsReportedWithHowToCreateIt() {
		JdbcLockBackend backend = new JdbcLockBackend(dataSource(), "NO_SUCH_LOCK_TABLE");
		assertThatExceptionOfType(LockException.class).isThrownBy(() -> backend.tryAcquire(request(LONG_LEASE)))
			.satisfies((ex) -> {
				assertThat(ex.getType()).isEqualTo(LockErrorType.INVALID_CONFIGURATION);
				assertThat(ex.getMessage()).contains("NO_SUCH_LOCK_TABLE does not exist")
					.contains("JdbcLockSchemaInitializer")
					.doesNotContain("forward.lock");
			});
	}

	@Test
	void schemaInitializerCreatesACustomTableAndMayRunTwice() {
		String table = "LOCKS_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		JdbcLockSchemaInitializer initializer = new JdbcLockSchemaInitializer(dataSource(), table);
		initializer.initialize();
		initializer.initialize();
		JdbcLockBackend backend = new JdbcLockBackend(dataSource(), table);
		try (LockLease lease = backend.tryAcquire(request(LONG_LEASE)).orElseThrow()) {
			assertThat(lease.location()).contains(table);
			assertThat(lease.fencingToken()).hasValue(1);
		}
	}

	@Test
	void concurrentAcquisitionsGetConsecutiveFencingTokensInTheirOrder() throws Exception {
		JdbcLockBackend backend = backend();
		int threads = 6;
		int attempts = 30;
		List<Long> tokens = new ArrayList<>();
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				LockRequest request = request(LONG_LEASE);
				futures.add(pool.submit(() -> {
					start.await();
					for (int i = 0; i < attempts; i++) {
						Optional<LockLease> lease = backend.tryAcquire(request);
						if (lease.isPresent()) {
							synchronized (tokens) {
								tokens.add(lease.get().fencingToken().orElseThrow());
							}
							lease.get().release();
						}
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> future : futures) {
				future.get(50, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		// Recorded while holding the lock, so in acquisition order: 1, 2, 3, ... without
		// gaps.
		assertThat(tokens).isNotEmpty()
			.containsExactlyElementsOf(LongStream.rangeClosed(1, tokens.size()).boxed().toList());
	}

	/**
	 * SQL expression for the database's current time.
	 * @return the expression
	 */
	protected abstract String now();

	/**
	 * SQL expression for an interval of milliseconds, to add to a timestamp.
	 * @param millis the milliseconds
	 * @return the expression
	 */
	protected abstract String interval(long millis);

	private void expireInDatabase() throws SQLException {
		update("UPDATE FORWARD_LOCK SET expires_at = " + now() + " - " + interval(1000) + " WHERE lock_name = ?",
				this.lockName);
	}

	private void setExpiresInMillis(long millis) throws SQLException {
		update("UPDATE FORWARD_LOCK SET expires_at = " + now() + " + " + interval(millis) + " WHERE lock_name = ?",
				this.lockName);
	}

	private void update(String sql, String name) throws SQLException {
		try (Connection connection = dataSource().getConnection();
				PreparedStatement statement = connection.prepareStatement(sql)) {
			statement.setString(1, name);
			assertThat(statement.executeUpdate()).isEqualTo(1);
		}
	}

	private String queryString(String sql) throws SQLException {
		try (Connection connection = dataSource().getConnection();
				PreparedStatement statement = connection.prepareStatement(sql)) {
			statement.setString(1, this.lockName);
			try (ResultSet rs = statement.executeQuery()) {
				assertThat(rs.next()).isTrue();
				return rs.getString(1);
			}
		}
	}

	private int queryInt(String sql) throws SQLException {
		return Integer.parseInt(queryString(sql));
	}

}
