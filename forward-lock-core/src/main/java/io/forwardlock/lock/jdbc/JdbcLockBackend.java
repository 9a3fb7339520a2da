package io.forwardlock.lock.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRemedy;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.LockSetting;
import io.forwardlock.lock.SafeText;

/**
 * {@link LockBackend} that holds a lock as a leased row in a table of the application's
 * database, so that instances on several hosts exclude each other.
 * <p>
 * <b>How it works.</b> Each lock is one row, keyed by the lock name, that is never
 * deleted. Acquiring inserts the row, or takes it over when its lease has expired, in one
 * atomic step, and increments the row's fencing token; the token therefore increases with
 * every acquisition, including after a release or a takeover. The holder renews the lease
 * every heartbeat interval; a renewal that finds the row expired or owned by somebody
 * else means the lock is lost. Release expires only the holder's own row.
 * <p>
 * <b>Time.</b> Expiry is judged by the database's clock only, so hosts whose clocks
 * disagree still agree on who holds the lock. The lease lasts
 * {@link LockRequest#staleTimeout()}: that is how long a crashed holder blocks a
 * takeover. The lease also protects itself: it counts as lost once the lease duration has
 * passed, measured on this host's monotonic clock from just before the last successful
 * renewal was sent, even when the database cannot be reached to say so.
 * <p>
 * <b>Connections.</b> Every call borrows a connection from the {@link DataSource} for one
 * short statement or transaction and returns it; nothing is held between calls.
 * <p>
 * <b>Databases.</b> PostgreSQL (one {@code INSERT ... ON CONFLICT} statement), MariaDB,
 * MySQL and H2 (a short transaction with {@code SELECT ... FOR UPDATE}). An acquisition
 * that the database rolls back because of a concurrent one (a deadlock, a lock wait
 * timeout, a Galera certification failure) is tried again at once, a few times, and then
 * counts as contention, never as a failure. The table must exist: see
 * {@link JdbcLockSchemaInitializer} and the scripts next to this class.
 */
public class JdbcLockBackend implements LockBackend {

	/**
	 * Id of this backend.
	 */
	public static final String ID = "jdbc";

	/**
	 * Default name of the lock table.
	 */
	public static final String DEFAULT_TABLE_NAME = "FORWARD_LOCK";

	private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

	private static final int MAX_TEXT = 255;

	/**
	 * Attempts of one acquisition that the database rolled back because of a concurrent
	 * transaction (deadlock, lock wait timeout, certification failure) before it counts
	 * as contention.
	 */
	private static final int ACQUIRE_ATTEMPTS = 5;

	/**
	 * Runs renewals and verifications, so that their callers can stop waiting when the
	 * lease runs out. Daemon threads, kept only while in use.
	 */
	private static final ExecutorService CALLS = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "forward-lock-jdbc");
		thread.setDaemon(true);
		return thread;
	});

	private final DataSource dataSource;

	private final String tableName;

	private volatile JdbcLockStatements statements;

	private volatile boolean allowInMemoryDatabase;

	/**
	 * Create a backend on the {@link #DEFAULT_TABLE_NAME default table}.
	 * @param dataSource the application's data source
	 */
	public JdbcLockBackend(DataSource dataSource) {
		this(dataSource, DEFAULT_TABLE_NAME);
	}

	/**
	 * Create a backend on the given table. The database is detected on first use.
	 * @param dataSource the application's data source
	 * @param tableName the table, optionally qualified by a schema
	 * ({@code locks.FORWARD_LOCK})
	 * @throws IllegalArgumentException when the table name is not a plain SQL identifier
	 */
	public JdbcLockBackend(DataSource dataSource, String tableName) {
		this.dataSource = Objects.requireNonNull(dataSource, "'dataSource' must not be null");
		this.tableName = validateTableName(tableName);
	}

	/**
	 * Check that a table name is a plain, optionally schema-qualified SQL identifier, so
	 * that it can be written into SQL without quoting.
	 * @param tableName the table name
	 * @return the table name
	 * @throws IllegalArgumentException when it is not
	 */
	public static String validateTableName(String tableName) {
		boolean valid = tableName != null && !tableName.isEmpty();
		if (valid) {
			String[] parts = tableName.split("\\.", -1);
			valid = parts.length <= 2;
			for (String part : parts) {
				valid = valid && IDENTIFIER.matcher(part).matches();
			}
		}
		if (!valid) {
			throw new IllegalArgumentException("Lock table name '" + SafeText.escape(tableName)
					+ "' is invalid: use a plain SQL identifier of letters, digits and '_' (at most 63, not starting "
					+ "with a digit), optionally qualified by a schema, such as FORWARD_LOCK or locks.FORWARD_LOCK");
		}
		return tableName;
	}

	@Override
	public String id() {
		return ID;
	}

	/**
	 * Always {@code true}: a lease that is not renewed expires.
	 * @return {@code true}
	 */
	@Override
	public boolean requiresHeartbeat() {
		return true;
	}

	/**
	 * Name of the lock table.
	 * @return the table name
	 */
	public String getTableName() {
		return this.tableName;
	}

	/**
	 * Set whether a database in this JVM's memory (H2 {@code mem:}, HSQLDB {@code mem:},
	 * Derby {@code memory:}) may hold the lock. Such a database is private to the JVM, so
	 * the lock would exclude no other instance; only tests of a single JVM should allow
	 * it. Defaults to {@code false}.
	 * @param allowInMemoryDatabase whether to allow an in-memory database
	 */
	public void setAllowInMemoryDatabase(boolean allowInMemoryDatabase) {
		this.allowInMemoryDatabase = allowInMemoryDatabase;
	}

	@Override
	public Optional<LockLease> tryAcquire(LockRequest request) {
		Objects.requireNonNull(request, "'request' must not be null");
		HolderRecord self = request.newHolderRecord();
		String holderId = truncate(request.instanceId());
		long leaseMillis = request.staleTimeout().toMillis();
		for (int attempt = 1;; attempt++) {
			try (ReadCommitted session = open()) {
				Connection connection = session.connection();
				// Taken once a connection is open, before the statement is sent: the
				// local
				// deadline can only be earlier than the expiry the database computes, and
				// a wait for the pool does not eat into the lease
				long sentAt = System.nanoTime();
				JdbcLockStatements sql = statements(connection);
				Optional<Acquired> acquired = sql.dialect().acquiresInOneStatement()
						? upsert(connection, sql, request, self, holderId, leaseMillis)
						: lockRowAndDecide(connection, sql, request, self, holderId, leaseMillis);
				return acquired.map((row) -> new JdbcLockLease(this, request, holderId, row.token(),
						asStored(self, holderId, row.acquiredAt()), sentAt));
			}
			catch (SQLException ex) {
				JdbcLockStatements current = this.statements;
				if (current == null || !current.dialect().isRetryable(ex)) {
					throw unavailable(request, "acquire the lock in the database", ex);
				}
				if (attempt == ACQUIRE_ATTEMPTS) {
					// Rolled back again and again by concurrent acquisitions: somebody
					// else is taking the lock, which is contention, not a failure.
					return Optional.empty();
				}
				// Back off a little, at random, so that two contenders that deadlocked
				// do not meet again at once.
				LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(1_000_000, 10_000_000L * attempt));
			}
		}
	}

	private Optional<Acquired> upsert(Connection connection, JdbcLockStatements sql, LockRequest request,
			HolderRecord self, String holderId, long leaseMillis) throws SQLException {
		Optional<Acquired> acquired;
		try (PreparedStatement statement = prepare(connection, sql.upsert(), request)) {
			bindHolder(statement, 1, request.name(), holderId, self);
			statement.setLong(6, leaseMillis);
			try (ResultSet rs = statement.executeQuery()) {
				acquired = rs.next() ? Optional.of(new Acquired(rs.getLong(1), sql.dialect().readTime(rs, 2)))
						: Optional.empty();
			}
		}
		commitUnlessAutoCommit(connection);
		return acquired;
	}

	private Optional<Acquired> lockRowAndDecide(Connection connection, JdbcLockStatements sql, LockRequest request,
			HolderRecord self, String holderId, long leaseMillis) throws SQLException {
		boolean autoCommit = connection.getAutoCommit();
		int isolation = connection.getTransactionIsolation();
		connection.setAutoCommit(false);
		connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
		boolean committed = false;
		try {
			Optional<Boolean> expired = selectForUpdate(connection, sql, request);
			boolean written;
			if (expired.isEmpty()) {
				written = insertFirstRow(connection, sql, request, self, holderId, leaseMillis);
			}
			else if (expired.get()) {
				written = takeOver(connection, sql, request, self, holderId, leaseMillis);
			}
			else {
				written = false;
			}
			Optional<Acquired> acquired = written ? selectOwnRow(connection, sql, request, holderId) : Optional.empty();
			if (acquired.isPresent()) {
				connection.commit();
				committed = true;
			}
			return acquired;
		}
		finally {
			if (!committed) {
				connection.rollback();
			}
			connection.setTransactionIsolation(isolation);
			connection.setAutoCommit(autoCommit);
		}
	}

	private Optional<Boolean> selectForUpdate(Connection connection, JdbcLockStatements sql, LockRequest request)
			throws SQLException {
		try (PreparedStatement statement = prepare(connection, sql.selectForUpdate(), request)) {
			statement.setString(1, request.name());
			try (ResultSet rs = statement.executeQuery()) {
				return rs.next() ? Optional.of(rs.getInt(1) == 1) : Optional.empty();
			}
		}
	}

	private boolean insertFirstRow(Connection connection, JdbcLockStatements sql, LockRequest request,
			HolderRecord self, String holderId, long leaseMillis) throws SQLException {
		try (PreparedStatement statement = prepare(connection, sql.insert(), request)) {
			bindHolder(statement, 1, request.name(), holderId, self);
			statement.setLong(6, leaseMillis);
			return statement.executeUpdate() == 1;
		}
		catch (SQLException ex) {
			if (sql.dialect().isDuplicateKey(ex)) {
				// Another instance inserted the first row since we looked: it holds the
				// lock.
				return false;
			}
			throw ex;
		}
	}

	private boolean takeOver(Connection connection, JdbcLockStatements sql, LockRequest request, HolderRecord self,
			String holderId, long leaseMillis) throws SQLException {
		try (PreparedStatement statement = prepare(connection, sql.takeOver(), request)) {
			statement.setString(1, holderId);
			statement.setLong(2, self.pid());
			statement.setString(3, truncate(self.hostname()));
			statement.setString(4, truncate(self.applicationName()));
			statement.setLong(5, leaseMillis);
			statement.setString(6, request.name());
			return statement.executeUpdate() == 1;
		}
	}

	private Optional<Acquired> selectOwnRow(Connection connection, JdbcLockStatements sql, LockRequest request,
			String holderId) throws SQLException {
		try (PreparedStatement statement = prepare(connection, sql.selectOwnRow(), request)) {
			statement.setString(1, request.name());
			statement.setString(2, holderId);
			try (ResultSet rs = statement.executeQuery()) {
				return rs.next() ? Optional.of(new Acquired(rs.getLong(1), sql.dialect().readTime(rs, 2)))
						: Optional.empty();
			}
		}
	}

	@Override
	public Optional<HolderRecord> inspect(LockRequest request) {
		Objects.requireNonNull(request, "'request' must not be null");
		try {
			return readLiveHolder(request).map(LiveHolder::record);
		}
		catch (SQLException ex) {
			throw unavailable(request, "read the lock holder from the database", ex);
		}
	}

	/**
	 * Refusal whose help explains that a crashed holder blocks until its lease expires.
	 */
	@Override
	public LockException instanceRunning(HolderRecord holder, LockRequest request) {
		return LockErrors.instanceRunningOnLease(holder, describeLocation(request), request.staleTimeout());
	}

	@Override
	public String describeLocation(LockRequest request) {
		return "table " + this.tableName + ", lock_name '" + request.name() + "'";
	}

	@Override
	public String toString() {
		return "JdbcLockBackend[table=" + this.tableName + "]";
	}

	/**
	 * Extend a lease. Only called by {@link JdbcLockLease}.
	 * @return whether the database extended it
	 */
	boolean renew(LockRequest request, String holderId, long token) throws SQLException {
		try (ReadCommitted session = open()) {
			Connection connection = session.connection();
			try (PreparedStatement statement = prepare(connection, statements(connection).renew(), request)) {
				statement.setLong(1, request.staleTimeout().toMillis());
				statement.setString(2, request.name());
				statement.setString(3, holderId);
				statement.setLong(4, token);
				boolean renewed = statement.executeUpdate() == 1;
				commitUnlessAutoCommit(connection);
				return renewed;
			}
		}
	}

	/**
	 * Expire a lease now. Only called by {@link JdbcLockLease}.
	 * @return whether the lease was still live
	 */
	boolean release(LockRequest request, String holderId, long token) throws SQLException {
		try (ReadCommitted session = open()) {
			Connection connection = session.connection();
			try (PreparedStatement statement = prepare(connection, statements(connection).release(), request)) {
				statement.setString(1, request.name());
				statement.setString(2, holderId);
				statement.setLong(3, token);
				boolean released = statement.executeUpdate() == 1;
				commitUnlessAutoCommit(connection);
				return released;
			}
		}
	}

	/**
	 * Read the holder of the unexpired lease on a lock, if any.
	 */
	Optional<LiveHolder> readLiveHolder(LockRequest request) throws SQLException {
		try (ReadCommitted session = open()) {
			Connection connection = session.connection();
			JdbcLockStatements sql = statements(connection);
			try (PreparedStatement statement = prepare(connection, sql.selectLiveHolder(), request)) {
				statement.setString(1, request.name());
				try (ResultSet rs = statement.executeQuery()) {
					if (!rs.next()) {
						return Optional.empty();
					}
					String holderId = rs.getString(1);
					long pid = rs.getLong(2);
					HolderRecord record = new HolderRecord(rs.wasNull() ? -1 : pid, rs.getString(3), null,
							sql.dialect().readTime(rs, 5), rs.getString(4), holderId);
					return Optional.of(new LiveHolder(holderId, rs.getLong(6), record));
				}
			}
		}
	}

	/**
	 * Open a connection for lock statements at READ COMMITTED, whatever the pool's
	 * default: a stricter level would make contenders fail with serialization errors
	 * instead of waiting on the row lock, a looser one could read uncommitted holders.
	 */
	private ReadCommitted open() throws SQLException {
		Connection connection = this.dataSource.getConnection();
		try {
			int isolation = connection.getTransactionIsolation();
			if (isolation != Connection.TRANSACTION_READ_COMMITTED) {
				connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
			}
			return new ReadCommitted(connection, isolation);
		}
		catch (SQLException | RuntimeException ex) {
			connection.close();
			throw ex;
		}
	}

	/**
	 * A connection at READ COMMITTED that gets the pool's isolation back when closed.
	 */
	private record ReadCommitted(Connection connection, int isolation) implements AutoCloseable {

		@Override
		public void close() throws SQLException {
			try {
				if (this.isolation != Connection.TRANSACTION_READ_COMMITTED && !this.connection.isClosed()) {
					// Every write has committed; a read may have left a transaction open,
					// in which the isolation cannot change
					if (!this.connection.getAutoCommit()) {
						this.connection.rollback();
					}
					this.connection.setTransactionIsolation(this.isolation);
				}
			}
			finally {
				this.connection.close();
			}
		}

	}

	static <T> Future<T> submit(Callable<T> call) {
		return CALLS.submit(call);
	}

	/**
	 * Exception for a failed statement, with specific help when the table is missing.
	 */
	LockException unavailable(LockRequest request, String what, SQLException ex) {
		if (!isMissingTable(ex)) {
			return LockErrors.backendUnavailable(describeLocation(request), what, ex);
		}
		JdbcLockStatements current = this.statements;
		String script = "io/forwardlock/lock/jdbc/schema-"
				+ ((current != null) ? current.dialect().platform() : "<database>") + ".sql";
		return LockException
			.builder(LockErrorType.BACKEND_UNAVAILABLE,
					"Failed to " + what + ": the lock table " + this.tableName + " does not exist")
			.location(describeLocation(request))
			.remedy("Let forward-lock create it", LockSetting.JDBC_INITIALIZE_SCHEMA, "always")
			.help("Or create it in your own migrations (Flyway, Liquibase) from " + script + " in forward-lock's jar")
			.remedy("Or point the lock at the table you created", LockSetting.JDBC_TABLE_NAME, "<table>")
			.cause(ex)
			.build();
	}

	private static boolean isMissingTable(SQLException ex) {
		// 42P01: PostgreSQL's undefined_table; 42S02 and 42S04: the SQL standard's "table
		// not found" (H2, MariaDB and MySQL)
		String state = ex.getSQLState();
		return "42P01".equals(state) || "42S02".equals(state) || "42S04".equals(state) || "42102".equals(state);
	}

	private void refuseInMemoryDatabase(String url) {
		if (!this.allowInMemoryDatabase && JdbcLockSchemaInitializer.isInMemoryUrl(url)) {
			throw LockErrors
				.invalidConfiguration(
						"The JDBC lock backend cannot lock on the in-memory database "
								+ url + ": it lives in only this JVM, so every instance would get a lock of its own",
						url,
						LockRemedy.of("Point the data source at a shared database server that every instance uses, "
								+ "such as PostgreSQL"),
						LockRemedy.of("Or, on one host, use the file backend", LockSetting.BACKEND, "file"),
						LockRemedy.of("Tests of a single JVM can allow it", LockSetting.JDBC_ALLOW_IN_MEMORY_DATABASE,
								"true"));
		}
	}

	private JdbcLockStatements statements(Connection connection) throws SQLException {
		JdbcLockStatements current = this.statements;
		if (current == null) {
			refuseInMemoryDatabase(connection.getMetaData().getURL());
			JdbcLockDialect dialect = JdbcLockDialect.forProductName(connection.getMetaData().getDatabaseProductName());
			current = new JdbcLockStatements(dialect, this.tableName);
			this.statements = current;
		}
		return current;
	}

	/**
	 * Commit a single statement on a connection that a pool handed out without
	 * auto-commit (common next to JPA); a pool rolls back what is left uncommitted.
	 */
	private static void commitUnlessAutoCommit(Connection connection) throws SQLException {
		if (!connection.getAutoCommit()) {
			connection.commit();
		}
	}

	private static PreparedStatement prepare(Connection connection, String sql, LockRequest request)
			throws SQLException {
		PreparedStatement statement = connection.prepareStatement(sql);
		// A hung database must not block the heartbeat thread for most of the lease: give
		// up early enough to retry, and to notice the lease running out.
		Duration limit = request.staleTimeout().dividedBy(3);
		if (request.heartbeatInterval().compareTo(limit) < 0) {
			limit = request.heartbeatInterval();
		}
		statement.setQueryTimeout((int) Math.max(1, limit.toSeconds()));
		return statement;
	}

	private static void bindHolder(PreparedStatement statement, int first, String name, String holderId,
			HolderRecord self) throws SQLException {
		statement.setString(first, name);
		statement.setString(first + 1, holderId);
		statement.setLong(first + 2, self.pid());
		statement.setString(first + 3, truncate(self.hostname()));
		statement.setString(first + 4, truncate(self.applicationName()));
	}

	/**
	 * The holder as other instances will read it from the row: the table keeps no process
	 * start time, and the acquisition time is the database's.
	 */
	private static HolderRecord asStored(HolderRecord self, String holderId, Instant acquiredAt) {
		return new HolderRecord(self.pid(), truncate(self.hostname()), null,
				(acquiredAt != null) ? acquiredAt : self.acquiredAt(), truncate(self.applicationName()), holderId);
	}

	private static String truncate(String value) {
		return (value != null && value.length() > MAX_TEXT) ? value.substring(0, MAX_TEXT) : value;
	}

	private record Acquired(long token, Instant acquiredAt) {
	}

	/**
	 * Holder of an unexpired lease as the database sees it.
	 */
	record LiveHolder(String holderId, long token, HolderRecord record) {

		boolean is(String otherHolderId, long otherToken) {
			return this.holderId.equals(otherHolderId) && this.token == otherToken;
		}

	}

}
