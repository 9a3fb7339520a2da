package io.forwardlock.lock.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Locale;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockRemedy;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.LockSetting;

/**
 * How {@link JdbcLockBackend} talks to its database: a connection at READ COMMITTED for
 * each call, statements with a time limit, and the SQL for the database behind the data
 * source, detected on first use.
 */
final class JdbcLockConnections {

	private static final String[] IN_MEMORY_URL_PREFIXES = { "jdbc:h2:mem:", "jdbc:hsqldb:mem:", "jdbc:derby:memory:" };

	private final DataSource dataSource;

	private final String tableName;

	private volatile @Nullable JdbcLockStatements statements;

	private volatile boolean allowInMemoryDatabase;

	JdbcLockConnections(DataSource dataSource, String tableName) {
		this.dataSource = dataSource;
		this.tableName = tableName;
	}

	void setAllowInMemoryDatabase(boolean allowInMemoryDatabase) {
		this.allowInMemoryDatabase = allowInMemoryDatabase;
	}

	/**
	 * The dialect detected so far, if any.
	 * @return the dialect, or {@code null} before the first connection
	 */
	@Nullable JdbcLockDialect dialect() {
		JdbcLockStatements current = this.statements;
		return (current != null) ? current.dialect() : null;
	}

	/**
	 * Open a connection for lock statements at READ COMMITTED, whatever the pool's
	 * default: a stricter level would make contenders fail with serialization errors
	 * instead of waiting on the row lock, a looser one could read uncommitted holders.
	 * Every wait for the database on it is bounded (see {@link #limitNetworkWaits}).
	 * @param request the lock request, whose timings set the bound
	 * @return the connection, which gets the pool's isolation and network timeout back
	 * when closed
	 * @throws SQLException when no connection can be had
	 */
	ReadCommitted open(LockRequest request) throws SQLException {
		Connection connection = this.dataSource.getConnection();
		try {
			int networkTimeout = limitNetworkWaits(connection, request);
			int isolation = connection.getTransactionIsolation();
			if (isolation != Connection.TRANSACTION_READ_COMMITTED) {
				connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
			}
			return new ReadCommitted(connection, isolation, networkTimeout, statements(connection));
		}
		catch (SQLException | RuntimeException ex) {
			connection.close();
			throw ex;
		}
	}

	/**
	 * Bound every wait for the database on a connection, which a statement's query
	 * timeout does not: a commit or a rollback that hangs on a dead connection would
	 * otherwise block an acquisition or a release, which run on the caller's thread (at
	 * start-up and shutdown), without bound. Twice the query timeout, so that a slow
	 * statement is cancelled by its own timeout first and the connection stays usable; a
	 * driver gives a connection up when its network timeout passes.
	 * @return the connection's network timeout before, to restore, or {@code -1} when the
	 * driver has none
	 */
	private static int limitNetworkWaits(Connection connection, LockRequest request) throws SQLException {
		try {
			int previous = connection.getNetworkTimeout();
			// Runs inline: the drivers only set a socket timeout with it
			connection.setNetworkTimeout(Runnable::run, queryTimeoutSeconds(request) * 2000);
			return previous;
		}
		catch (SQLFeatureNotSupportedException ex) {
			return -1;
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

	private void refuseInMemoryDatabase(@Nullable String url) {
		if (!this.allowInMemoryDatabase && isInMemoryUrl(url)) {
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

	/**
	 * Whether a JDBC URL names a database in the JVM's own memory, which no other
	 * instance can reach: H2 {@code mem:}, HSQLDB {@code mem:} and Derby {@code memory:}.
	 * @param url the URL, may be {@code null}
	 * @return whether it is in memory
	 */
	static boolean isInMemoryUrl(@Nullable String url) {
		if (url == null) {
			return false;
		}
		String lower = url.toLowerCase(Locale.ROOT);
		for (String prefix : IN_MEMORY_URL_PREFIXES) {
			if (lower.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Commit a single statement on a connection that a pool handed out without
	 * auto-commit (common next to JPA); a pool rolls back what is left uncommitted.
	 * @param connection the connection
	 * @throws SQLException when the commit fails
	 */
	static void commitUnlessAutoCommit(Connection connection) throws SQLException {
		if (!connection.getAutoCommit()) {
			connection.commit();
		}
	}

	/**
	 * Prepare a statement whose execution the driver gives up after a limit that leaves
	 * the lease time to retry: a hung database must not block the heartbeat thread for
	 * most of the lease.
	 * @param connection the connection
	 * @param sql the statement
	 * @param request the lock request, whose timings set the limit
	 * @return the statement
	 * @throws SQLException when the statement cannot be prepared
	 */
	static PreparedStatement prepare(Connection connection, String sql, LockRequest request) throws SQLException {
		PreparedStatement statement = connection.prepareStatement(sql);
		statement.setQueryTimeout(queryTimeoutSeconds(request));
		return statement;
	}

	private static int queryTimeoutSeconds(LockRequest request) {
		Duration limit = request.staleTimeout().dividedBy(3);
		if (request.heartbeatInterval().compareTo(limit) < 0) {
			limit = request.heartbeatInterval();
		}
		return (int) Math.min(Integer.MAX_VALUE / 2000, Math.max(1, limit.toSeconds()));
	}

	/**
	 * Run every step that gives a connection back the state its pool handed it out in,
	 * whatever the earlier steps did: a step that fails must not leave the connection
	 * half restored for its next user. The first failure is the one reported, the
	 * caller's own when it has one; later ones are suppressed into it.
	 * @param failure what the caller is already throwing, or {@code null}
	 * @param steps the steps, in order
	 * @throws SQLException the first step's failure, when the caller threw nothing
	 */
	static void restore(@Nullable Throwable failure, Step... steps) throws SQLException {
		Throwable first = failure;
		for (Step step : steps) {
			try {
				step.run();
			}
			catch (SQLException | RuntimeException ex) {
				if (first == null) {
					first = ex;
				}
				else if (first != ex) {
					first.addSuppressed(ex);
				}
			}
		}
		if (failure == null && first instanceof SQLException sqlException) {
			throw sqlException;
		}
		if (failure == null && first instanceof RuntimeException runtimeException) {
			throw runtimeException;
		}
	}

	/**
	 * One step of {@link #restore}.
	 */
	@FunctionalInterface
	interface Step {

		/**
		 * Run the step.
		 * @throws SQLException when it fails
		 */
		void run() throws SQLException;

	}

	/**
	 * A connection at READ COMMITTED, with the statements for its database, that gets the
	 * pool's isolation and network timeout back when closed.
	 *
	 * @param connection the connection
	 * @param isolation the pool's isolation level
	 * @param networkTimeout the pool's network timeout, or {@code -1} when the driver has
	 * none
	 * @param sql the statements for the database
	 */
	record ReadCommitted(Connection connection, int isolation, int networkTimeout,
			JdbcLockStatements sql) implements AutoCloseable {

		@Override
		public void close() throws SQLException {
			// Every write has committed; a read may have left a transaction open, in
			// which the isolation cannot change, and which a data source that hands the
			// connection out again may keep open: H2's CURRENT_TIMESTAMP stays at its
			// first value for a whole transaction, so a later renewal would date its
			// expiry from that read. The isolation and the network timeout come back, and
			// the connection is closed, even when the rollback fails.
			restore(null, () -> {
				if (!this.connection.isClosed() && !this.connection.getAutoCommit()) {
					this.connection.rollback();
				}
			}, () -> {
				if (this.isolation != Connection.TRANSACTION_READ_COMMITTED && !this.connection.isClosed()) {
					this.connection.setTransactionIsolation(this.isolation);
				}
			}, () -> {
				if (this.networkTimeout >= 0 && !this.connection.isClosed()) {
					this.connection.setNetworkTimeout(Runnable::run, this.networkTimeout);
				}
			}, this.connection::close);
		}

	}

}
