package io.forwardlock.lock.jdbc;

import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LeaseDeadline;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
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
 * takeover. The lease also protects itself: it counts as lost once the lease duration,
 * less a safety margin (a fifth of it, at most one second), has passed, measured on this
 * host's monotonic clock from just before the last successful renewal was sent, even when
 * the database cannot be reached to say so; the holder has therefore stopped before the
 * database lets anyone else in.
 * <p>
 * <b>Connections and threads.</b> Every call borrows a connection from the
 * {@link DataSource} for one short statement or transaction and returns it; nothing is
 * held between calls. Statements have a query timeout (a third of the lease, at most the
 * heartbeat interval, at least a second), and the connection a network timeout of twice
 * that, which bounds what no query timeout does (a commit, a rollback on a dead
 * connection), so that neither an acquisition at start-up nor a release at shutdown can
 * hang for ever; waiting for the pool is bounded by the pool's own timeout. Renewals and
 * verifications run on threads of this backend, so that a lease stops waiting for a hung
 * database when its local deadline comes; close the backend to end them.
 * <p>
 * <b>Databases.</b> PostgreSQL (one {@code INSERT ... ON CONFLICT} statement), MariaDB
 * and MySQL (a short transaction with {@code SELECT ... FOR UPDATE}) and H2 (a short
 * transaction that tries the conditional takeover before the insert). An acquisition that
 * the database rolls back because of a concurrent one (a deadlock, a lock wait timeout, a
 * Galera certification failure) is tried again at once, a few times, and then counts as
 * contention, never as a failure. The table must exist: see
 * {@link JdbcLockSchemaInitializer} and the scripts next to this class.
 */
public class JdbcLockBackend implements LockBackend, AutoCloseable {

	/**
	 * Id of this backend.
	 */
	public static final String ID = "jdbc";

	/**
	 * Default name of the lock table.
	 */
	public static final String DEFAULT_TABLE_NAME = "FORWARD_LOCK";

	private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

	/**
	 * Attempts of one acquisition that the database rolled back because of a concurrent
	 * transaction (deadlock, lock wait timeout, certification failure) before it counts
	 * as contention.
	 */
	private static final int ACQUIRE_ATTEMPTS = 5;

	private final String tableName;

	private final JdbcLockConnections connections;

	private final JdbcLockRows rows;

	private final JdbcLockCalls calls = new JdbcLockCalls();

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
		Objects.requireNonNull(dataSource, "'dataSource' must not be null");
		this.tableName = validateTableName(tableName);
		this.connections = new JdbcLockConnections(dataSource, this.tableName);
		this.rows = new JdbcLockRows(this.connections);
	}

	/**
	 * Check that a table name is a plain, optionally schema-qualified SQL identifier, so
	 * that it can be written into SQL without quoting.
	 * @param tableName the table name
	 * @return the table name
	 * @throws IllegalArgumentException when it is not
	 */
	public static String validateTableName(@Nullable String tableName) {
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
		this.connections.setAllowInMemoryDatabase(allowInMemoryDatabase);
	}

	@Override
	public Optional<LockLease> tryAcquire(LockRequest request) {
		Objects.requireNonNull(request, "'request' must not be null");
		HolderRecord self = request.newHolderRecord();
		String holderId = JdbcLockRows.holderId(request);
		for (int attempt = 1;; attempt++) {
			Optional<JdbcLockRows.Acquired> acquired;
			try {
				acquired = this.rows.acquire(request, self, holderId);
			}
			catch (SQLException ex) {
				JdbcLockDialect dialect = this.connections.dialect();
				if (dialect == null || !dialect.isRetryable(ex)) {
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
				continue;
			}
			return acquired.map((row) -> lease(request, holderId, row));
		}
	}

	/**
	 * The lease of an acquisition, unless the database answered after the time this host
	 * trusts the lease for had run out: the row may have expired by the time the
	 * acquisition committed, and another instance may have taken over since, so guarded
	 * work must not start on it.
	 */
	private JdbcLockLease lease(LockRequest request, String holderId, JdbcLockRows.Acquired row) {
		long elapsed = System.nanoTime() - row.sentAt();
		if (elapsed < LeaseDeadline.trustedLease(request.staleTimeout()).toNanos()) {
			return new JdbcLockLease(this, request, holderId, row.token(), row.holder(), row.sentAt());
		}
		SQLTimeoutException late = new SQLTimeoutException("The database answered the acquisition after "
				+ elapsed / 1_000_000 + " ms, too close to the end of the lease of " + request.staleTimeout());
		try {
			// Not to block a standby for the rest of a lease that nobody will renew
			this.rows.release(request, holderId, row.token());
		}
		catch (SQLException ex) {
			late.addSuppressed(ex);
		}
		throw unavailable(request, "acquire the lock in the database in time", late);
	}

	@Override
	public Optional<HolderRecord> inspect(LockRequest request) {
		Objects.requireNonNull(request, "'request' must not be null");
		try {
			return this.rows.readLiveHolder(request).map(LiveHolder::record);
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
	 * End the threads that ran renewals and verifications. Leases stay valid for
	 * {@link LockLease#release()}; their renewals and verifications fail from now on.
	 * Idempotent.
	 */
	@Override
	public void close() {
		this.calls.close();
	}

	/**
	 * Extend a lease. Only called by {@link JdbcLockLease}.
	 * @return whether the database extended it
	 */
	boolean renew(LockRequest request, String holderId, long token) throws SQLException {
		return this.rows.renew(request, holderId, token);
	}

	/**
	 * Expire a lease now. Only called by {@link JdbcLockLease}.
	 * @return whether the lease was still live
	 */
	boolean release(LockRequest request, String holderId, long token) throws SQLException {
		return this.rows.release(request, holderId, token);
	}

	/**
	 * Read the holder of the unexpired lease on a lock, if any.
	 */
	Optional<LiveHolder> readLiveHolder(LockRequest request) throws SQLException {
		return this.rows.readLiveHolder(request);
	}

	/**
	 * Run a database call on a thread of this backend, so that the caller can stop
	 * waiting for it.
	 * @throws SQLException when the backend is closed
	 */
	<T> Future<T> submit(Callable<T> call) throws SQLException {
		return this.calls.submit(call);
	}

	/**
	 * Exception for a failed statement: {@link LockErrorType#BACKEND_UNAVAILABLE}, or
	 * {@link LockErrorType#INVALID_CONFIGURATION} with specific help when the table is
	 * missing.
	 */
	LockException unavailable(LockRequest request, String what, SQLException ex) {
		if (!isMissingTable(ex)) {
			return LockErrors.backendUnavailable(describeLocation(request), what, ex);
		}
		JdbcLockDialect dialect = this.connections.dialect();
		String script = JdbcLockSchemaInitializer.scriptFor((dialect != null) ? dialect.platform() : "<database>");
		// Not an outage: waiting cannot make the table appear, so a standby must not
		// retry it forever
		return LockException
			.builder(LockErrorType.INVALID_CONFIGURATION,
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

	/**
	 * Holder of an unexpired lease as the database sees it.
	 */
	record LiveHolder(String holderId, long token, HolderRecord record) {

		boolean is(String otherHolderId, long otherToken) {
			return this.holderId.equals(otherHolderId) && this.token == otherToken;
		}

	}

}
