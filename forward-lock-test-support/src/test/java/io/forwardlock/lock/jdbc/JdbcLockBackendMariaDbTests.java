package io.forwardlock.lock.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TimeZone;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What MariaDB and MySQL add to {@link JdbcLockBackendContractTests}: time that neither
 * the session's nor the JVM's time zone can move, microsecond precision, retries of
 * acquisitions that InnoDB rolls back (a real lock wait timeout and a real deadlock), and
 * schema-qualified tables. Against the real MariaDB server, through MariaDB Connector/J
 * and MySQL Connector/J.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JdbcLockBackendMariaDbTests {

	/**
	 * Session time zone: has daylight saving, and is hours away from UTC.
	 */
	private static final String SESSION_ZONE = "America/New_York";

	/**
	 * JVM time zone: another one with daylight saving, on the other side of UTC, with a
	 * half-hour shift.
	 */
	private static final String JVM_ZONE = "Australia/Lord_Howe";

	private static MariaDbTestDatabase database;

	private static TimeZone jvmZone;

	@BeforeAll
	static void startDatabase() {
		database = MariaDbTestDatabase.shared();
		loadTimeZone(SESSION_ZONE);
		jvmZone = TimeZone.getDefault();
		TimeZone.setDefault(TimeZone.getTimeZone(JVM_ZONE));
	}

	@AfterAll
	static void restoreJvmZone() {
		if (jvmZone != null) {
			TimeZone.setDefault(jvmZone);
		}
	}

	@ParameterizedTest(name = "through {0}")
	@ValueSource(strings = { "MariaDB Connector/J", "MySQL Connector/J" })
	void leaseExpiresExactlyAfterTheStaleTimeoutWhateverTheSessionAndJvmTimeZones(String driver) throws Exception {
		DataSource dataSource = inSessionZone(driver);
		assertThat(queryString(dataSource, "SELECT @@session.time_zone")).isEqualTo(SESSION_ZONE);
		// The session's local time really is hours away from UTC
		assertThat(queryLong(dataSource, "SELECT ABS(TIMESTAMPDIFF(MINUTE, NOW(6), UTC_TIMESTAMP(6)))"))
			.isGreaterThanOrEqualTo(180);
		JdbcLockBackend backend = new JdbcLockBackend(dataSource);
		Duration lease = Duration.ofMillis(1500);
		LockRequest holder = request(lease);
		long start = System.nanoTime();
		LockLease held = backend.tryAcquire(holder).orElseThrow();
		// The database stores exactly one lease, to the microsecond, in UTC
		assertThat(
				queryLong(dataSource,
						"SELECT TIMESTAMPDIFF(MICROSECOND, acquired_at, expires_at) FROM "
								+ "FORWARD_LOCK WHERE lock_name = '" + holder.name() + "'"))
			.isEqualTo(lease.toNanos() / 1000);
		assertThat(queryLong(dataSource, "SELECT ABS(TIMESTAMPDIFF(SECOND, acquired_at, UTC_TIMESTAMP(6))) FROM "
				+ "FORWARD_LOCK WHERE lock_name = '" + holder.name() + "'"))
			.isLessThan(60);
		// and the holder's acquisition time reads back as the same instant
		assertThat(Duration.between(held.holder().acquiredAt(), Instant.now()).abs()).isLessThan(Duration.ofMinutes(1));
		assertThat(backend.inspect(holder).orElseThrow().acquiredAt()).isEqualTo(held.holder().acquiredAt());
		LockRequest contender = request(lease, holder.name());
		LockLease taken = await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> backend.tryAcquire(contender), Optional::isPresent)
			.orElseThrow();
		// Not a moment earlier than the lease (allowing only for rounding), whatever the
		// zones: the database's clock and this one run at the same rate
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(lease.minusMillis(20));
		assertThat(taken.fencingToken()).hasValue(2);
		taken.release();
		held.release();
	}

	@Test
	void timesAreStoredToTheMicrosecond() throws SQLException {
		List<String> precisions = new ArrayList<>();
		try (Connection connection = database.dataSource().getConnection();
				PreparedStatement statement = connection.prepareStatement(
						"SELECT COLUMN_NAME, DATA_TYPE, DATETIME_PRECISION FROM information_schema.COLUMNS "
								+ "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'FORWARD_LOCK' AND COLUMN_NAME LIKE '%_at' "
								+ "ORDER BY COLUMN_NAME")) {
			statement.setString(1, MariaDbTestDatabase.DATABASE);
			try (ResultSet rs = statement.executeQuery()) {
				while (rs.next()) {
					precisions.add(rs.getString(1) + " " + rs.getString(2) + "(" + rs.getInt(3) + ")");
				}
			}
		}
		assertThat(precisions).containsExactly("acquired_at datetime(6)", "expires_at datetime(6)",
				"renewed_at datetime(6)");
	}

	@ParameterizedTest(name = "through {0}")
	@ValueSource(strings = { "MariaDB Connector/J", "MySQL Connector/J" })
	void acquisitionThatTimesOutWaitingForARowLockIsRetriedNotReported(String driver) throws Exception {
		// InnoDB gives up waiting for a row lock after one second in these sessions
		// (error 1205) instead of 50
		AtomicInteger lockingReads = new AtomicInteger();
		DataSource dataSource = countingLockingReads(dataSource(driver, "sessionVariables=innodb_lock_wait_timeout=1"),
				lockingReads);
		JdbcLockBackend backend = new JdbcLockBackend(dataSource);
		LockRequest request = request(Duration.ofSeconds(30));
		backend.tryAcquire(request).orElseThrow().release();
		lockingReads.set(0);
		try (Connection blocker = database.dataSource().getConnection()) {
			blocker.setAutoCommit(false);
			try (Statement statement = blocker.createStatement()) {
				statement
					.executeQuery("SELECT fencing_token FROM FORWARD_LOCK WHERE lock_name = '" + request.name()
							+ "' FOR UPDATE")
					.close();
			}
			CompletableFuture<Optional<LockLease>> acquisition = CompletableFuture
				.supplyAsync(() -> backend.tryAcquire(request(Duration.ofSeconds(30), request.name())));
			// The first attempt timed out waiting for the blocker's row lock, and the
			// backend tried again instead of failing
			await().atMost(Duration.ofSeconds(30)).until(() -> lockingReads.get() >= 2 || acquisition.isDone());
			assertThat(acquisition).isNotDone();
			blocker.rollback();
			try (LockLease lease = acquisition.get(30, TimeUnit.SECONDS).orElseThrow()) {
				assertThat(lease.fencingToken()).hasValue(2);
			}
		}
	}

	@ParameterizedTest(name = "through {0}")
	@ValueSource(strings = { "MariaDB Connector/J", "MySQL Connector/J" })
	void acquisitionChosenAsTheVictimOfADeadlockIsRetriedNotReported(String driver) throws Exception {
		// A table of its own, with a trigger that makes taking the row over also update
		// a row of another table: the second resource of a real InnoDB deadlock
		String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		String table = "LOCKS_" + suffix;
		String other = "OTHER_" + suffix;
		new JdbcLockSchemaInitializer(database.dataSource(), table).initialize();
		AtomicInteger lockingReads = new AtomicInteger();
		JdbcLockBackend backend = new JdbcLockBackend(countingLockingReads(dataSource(driver, ""), lockingReads),
				table);
		LockRequest request = request(Duration.ofSeconds(30));
		backend.tryAcquire(request).orElseThrow().release();
		database.execute("CREATE TABLE " + other + " (id INT PRIMARY KEY, n INT NOT NULL) ENGINE = InnoDB",
				"INSERT INTO " + other + " VALUES (1, 0)",
				"CREATE TABLE " + other + "_WEIGHT (id INT PRIMARY KEY) ENGINE = InnoDB",
				"CREATE TRIGGER " + table + "_TOUCH BEFORE UPDATE ON " + table + " FOR EACH ROW UPDATE " + other
						+ " SET n = n + 1 WHERE id = 1");
		lockingReads.set(0);
		try (Connection blocker = database.dataSource().getConnection();
				Statement statement = blocker.createStatement()) {
			blocker.setAutoCommit(false);
			// Heavier than the acquisition, so that InnoDB rolls the acquisition back
			// when it breaks the deadlock
			for (int i = 0; i < 200; i++) {
				statement.executeUpdate("INSERT INTO " + other + "_WEIGHT VALUES (" + i + ")");
			}
			statement.executeQuery("SELECT n FROM " + other + " WHERE id = 1 FOR UPDATE").close();
			CompletableFuture<Optional<LockLease>> acquisition = CompletableFuture
				.supplyAsync(() -> backend.tryAcquire(request(Duration.ofSeconds(30), request.name())));
			// The acquisition holds the lock row and waits for the other row
			await().atMost(Duration.ofSeconds(30))
				.until(() -> queryLong(database.dataSource(),
						"SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'") == 1
						|| acquisition.isDone());
			assertThat(acquisition).isNotDone();
			// Closes the cycle: InnoDB detects the deadlock and rolls the acquisition
			// back
			// (1213); the acquisition then tries again and waits for this transaction
			statement
				.executeQuery(
						"SELECT fencing_token FROM " + table + " WHERE lock_name = '" + request.name() + "' FOR UPDATE")
				.close();
			await().atMost(Duration.ofSeconds(30)).until(() -> lockingReads.get() >= 2 || acquisition.isDone());
			assertThat(acquisition).isNotDone();
			blocker.rollback();
			try (LockLease lease = acquisition.get(30, TimeUnit.SECONDS).orElseThrow()) {
				assertThat(lease.fencingToken()).hasValue(2);
			}
		}
		finally {
			database.execute("DROP TABLE " + table, "DROP TABLE " + other, "DROP TABLE " + other + "_WEIGHT");
		}
		assertThat(innodbStatus()).contains("LATEST DETECTED DEADLOCK").contains(table);
	}

	@ParameterizedTest(name = "through {0}")
	@ValueSource(strings = { "MariaDB Connector/J", "MySQL Connector/J" })
	void schemaInitializerCreatesATableInAnotherDatabase(String driver) {
		String schema = "locks_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		database.execute("CREATE DATABASE " + schema);
		DataSource dataSource = dataSource(driver, "");
		String table = schema + ".FORWARD_LOCK";
		new JdbcLockSchemaInitializer(dataSource, table).initialize();
		new JdbcLockSchemaInitializer(dataSource, table).initialize();
		JdbcLockBackend backend = new JdbcLockBackend(dataSource, table);
		try (LockLease lease = backend.tryAcquire(request(Duration.ofSeconds(30))).orElseThrow()) {
			assertThat(lease.location()).contains(table);
			assertThat(lease.fencingToken()).hasValue(1);
		}
	}

	@Test
	void lockNamesDifferingOnlyInCaseAreDifferentLocks() {
		JdbcLockBackend backend = new JdbcLockBackend(database.dataSource());
		String name = "Case-" + UUID.randomUUID();
		try (LockLease upper = backend.tryAcquire(request(Duration.ofSeconds(30), name)).orElseThrow();
				LockLease lower = backend.tryAcquire(request(Duration.ofSeconds(30), name.toLowerCase()))
					.orElseThrow()) {
			assertThat(upper.fencingToken()).hasValue(1);
			assertThat(lower.fencingToken()).hasValue(1);
		}
	}

	private static LockRequest request(Duration lease) {
		return request(lease, "lock-" + UUID.randomUUID());
	}

	private static LockRequest request(Duration lease, String name) {
		return LockRequest.named(name).applicationName("mariadb-test").heartbeat(lease.dividedBy(4), lease).build();
	}

	private static DataSource inSessionZone(String driver) {
		return dataSource(driver, "sessionVariables=time_zone='" + SESSION_ZONE + "'");
	}

	private static DataSource dataSource(String driver, String parameters) {
		if (driver.startsWith("MariaDB")) {
			return database.dataSource(parameters);
		}
		com.mysql.cj.jdbc.MysqlDataSource dataSource = new com.mysql.cj.jdbc.MysqlDataSource();
		dataSource.setUrl(database.mysqlUrl() + (parameters.isEmpty() ? "" : "&" + parameters));
		return dataSource;
	}

	/**
	 * Count the statements that lock the row ({@code SELECT ... FOR UPDATE}) prepared on
	 * the data source's connections: one per acquisition attempt.
	 */
	private static DataSource countingLockingReads(DataSource delegate, AtomicInteger count) {
		return (DataSource) Proxy.newProxyInstance(JdbcLockBackendMariaDbTests.class.getClassLoader(),
				new Class<?>[] { DataSource.class }, (proxy, method, args) -> {
					Object result = invoke(delegate, method, args);
					if (!(result instanceof Connection connection)) {
						return result;
					}
					return Proxy.newProxyInstance(JdbcLockBackendMariaDbTests.class.getClassLoader(),
							new Class<?>[] { Connection.class }, (p, m, a) -> {
								if (m.getName().equals("prepareStatement") && a[0].toString().endsWith("FOR UPDATE")) {
									count.incrementAndGet();
								}
								return invoke(connection, m, a);
							});
				});
	}

	private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

	/**
	 * Load one time zone into the server's time zone tables, from the JVM's rules, as
	 * {@code mariadb-tzinfo-to-sql} would from the system's: the embedded server ships
	 * without any.
	 */
	private static void loadTimeZone(String zone) {
		ZoneRules rules = ZoneId.of(zone).getRules();
		List<String> sql = new ArrayList<>();
		sql.add("INSERT INTO mysql.time_zone (Time_zone_id, Use_leap_seconds) VALUES (1, 'N')");
		sql.add("INSERT INTO mysql.time_zone_name (Name, Time_zone_id) VALUES ('" + zone + "', 1)");
		Instant from = Instant.parse("2000-01-01T00:00:00Z");
		ZoneOffset standard = rules.getStandardOffset(from);
		ZoneOffset daylight = rules.getOffset(Instant.parse("2000-07-01T00:00:00Z"));
		sql.add("INSERT INTO mysql.time_zone_transition_type (Time_zone_id, Transition_type_id, `Offset`, Is_DST, "
				+ "Abbreviation) VALUES (1, 0, " + standard.getTotalSeconds() + ", 0, 'S'), (1, 1, "
				+ daylight.getTotalSeconds() + ", 1, 'D')");
		StringBuilder transitions = new StringBuilder(
				"INSERT INTO mysql.time_zone_transition (Time_zone_id, Transition_time, Transition_type_id) VALUES ");
		Instant until = Instant.parse("2040-01-01T00:00:00Z");
		String separator = "";
		for (ZoneOffsetTransition transition = rules.nextTransition(from); transition != null && transition.getInstant()
			.isBefore(until); transition = rules.nextTransition(transition.getInstant())) {
			int type = transition.getOffsetAfter().equals(standard) ? 0 : 1;
			transitions.append(separator)
				.append("(1, ")
				.append(transition.getInstant().getEpochSecond())
				.append(", ")
				.append(type)
				.append(")");
			separator = ", ";
		}
		sql.add(transitions.toString());
		try (Connection connection = database.dataSource().getConnection();
				Statement statement = connection.createStatement()) {
			try (ResultSet rs = statement
				.executeQuery("SELECT COUNT(*) FROM mysql.time_zone_name WHERE Name = '" + zone + "'")) {
				rs.next();
				if (rs.getInt(1) > 0) {
					return;
				}
			}
			for (String each : sql) {
				statement.execute(each);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String queryString(DataSource dataSource, String sql) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery(sql)) {
			assertThat(rs.next()).isTrue();
			return rs.getString(1);
		}
	}

	private static String innodbStatus() throws SQLException {
		try (Connection connection = database.dataSource().getConnection();
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SHOW ENGINE INNODB STATUS")) {
			assertThat(rs.next()).isTrue();
			return rs.getString("Status");
		}
	}

	private static long queryLong(DataSource dataSource, String sql) throws SQLException {
		return Long.parseLong(queryString(dataSource, sql));
	}

}
