package io.forwardlock.lock.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.jdbc.JdbcLockConnections.ReadCommitted;

import static io.forwardlock.lock.jdbc.JdbcLockConnections.commitUnlessAutoCommit;
import static io.forwardlock.lock.jdbc.JdbcLockConnections.prepare;
import static io.forwardlock.lock.jdbc.JdbcLockConnections.restore;

/**
 * The statements of {@link JdbcLockBackend} on the lock row, one call each: acquire
 * (insert the row, or take over an expired one), renew, release and read the live holder.
 * Each call borrows a connection for one statement or one short transaction.
 */
final class JdbcLockRows {

	private static final int MAX_TEXT = 255;

	private final JdbcLockConnections connections;

	JdbcLockRows(JdbcLockConnections connections) {
		this.connections = connections;
	}

	/**
	 * Acquire the lock's row if it is free or its lease has expired.
	 * @param request the lock
	 * @param self this instance as the holder
	 * @param holderId the holder id to write
	 * @return the acquisition, or empty when another holder's lease is live
	 * @throws SQLException when the database fails or rolls the transaction back
	 */
	Optional<Acquired> acquire(LockRequest request, HolderRecord self, String holderId) throws SQLException {
		long leaseMillis = request.staleTimeout().toMillis();
		try (ReadCommitted session = this.connections.open(request)) {
			// Taken once a connection is open, before the statement is sent: the local
			// deadline can only be earlier than the expiry the database computes, and a
			// wait for the pool does not eat into the lease
			long sentAt = System.nanoTime();
			Optional<Row> row = switch (session.sql().dialect().acquisition()) {
				case UPSERT -> upsert(session, request, self, holderId, leaseMillis);
				case LOCK_ROW_FIRST -> inTransaction(session, request, holderId,
						() -> lockRowAndDecide(session, request, self, holderId, leaseMillis));
				case UPDATE_FIRST -> inTransaction(session, request, holderId,
						() -> takeOver(session, request, self, holderId, leaseMillis)
								|| insertFirstRow(session, request, self, holderId, leaseMillis));
			};
			return row.map((acquired) -> new Acquired(acquired.token(), asStored(self, holderId, acquired.acquiredAt()),
					sentAt));
		}
	}

	private Optional<Row> upsert(ReadCommitted session, LockRequest request, HolderRecord self, String holderId,
			long leaseMillis) throws SQLException {
		Connection connection = session.connection();
		Optional<Row> row;
		try (PreparedStatement statement = prepare(connection, session.sql().upsert(), request)) {
			bindHolder(statement, request.name(), holderId, self);
			statement.setLong(6, leaseMillis);
			row = readRow(session, statement);
		}
		commitUnlessAutoCommit(connection);
		return row;
	}

	/**
	 * Write the row in a short {@code READ COMMITTED} transaction, committed only when
	 * this holder's row can be read back. The connection gets its auto-commit and
	 * isolation back whatever the rollback does: a pooled connection left without
	 * auto-commit would keep its next user's work, and this transaction's row lock,
	 * uncommitted.
	 */
	private Optional<Row> inTransaction(ReadCommitted session, LockRequest request, String holderId, Write write)
			throws SQLException {
		Connection connection = session.connection();
		boolean autoCommit = connection.getAutoCommit();
		int isolation = connection.getTransactionIsolation();
		boolean committed = false;
		Throwable failure = null;
		try {
			connection.setAutoCommit(false);
			connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
			Optional<Row> row = write.wrote() ? selectOwnRow(session, request, holderId) : Optional.empty();
			if (row.isPresent()) {
				connection.commit();
				committed = true;
			}
			return row;
		}
		catch (Throwable ex) {
			failure = ex;
			throw ex;
		}
		finally {
			boolean rollBack = !committed;
			// Rolled back before auto-commit is turned on again, which would commit.
			// After
			// a failed rollback that commits what the transaction wrote, if anything: at
			// worst a row that nobody holds until it expires, as this acquisition failed
			restore(failure, () -> {
				if (rollBack) {
					connection.rollback();
				}
			}, () -> connection.setTransactionIsolation(isolation), () -> connection.setAutoCommit(autoCommit));
		}
	}

	private boolean lockRowAndDecide(ReadCommitted session, LockRequest request, HolderRecord self, String holderId,
			long leaseMillis) throws SQLException {
		Optional<Boolean> expired = selectForUpdate(session, request);
		if (expired.isEmpty()) {
			return insertFirstRow(session, request, self, holderId, leaseMillis);
		}
		return expired.get() && takeOver(session, request, self, holderId, leaseMillis);
	}

	private Optional<Boolean> selectForUpdate(ReadCommitted session, LockRequest request) throws SQLException {
		try (PreparedStatement statement = prepare(session.connection(), session.sql().selectForUpdate(), request)) {
			statement.setString(1, request.name());
			try (ResultSet rs = statement.executeQuery()) {
				return rs.next() ? Optional.of(rs.getInt(1) == 1) : Optional.empty();
			}
		}
	}

	private boolean insertFirstRow(ReadCommitted session, LockRequest request, HolderRecord self, String holderId,
			long leaseMillis) throws SQLException {
		try (PreparedStatement statement = prepare(session.connection(), session.sql().insert(), request)) {
			bindHolder(statement, request.name(), holderId, self);
			statement.setLong(6, leaseMillis);
			return statement.executeUpdate() == 1;
		}
		catch (SQLException ex) {
			if (session.sql().dialect().isDuplicateKey(ex)) {
				// Another instance inserted the first row since we looked: it holds the
				// lock.
				return false;
			}
			throw ex;
		}
	}

	private boolean takeOver(ReadCommitted session, LockRequest request, HolderRecord self, String holderId,
			long leaseMillis) throws SQLException {
		try (PreparedStatement statement = prepare(session.connection(), session.sql().takeOver(), request)) {
			statement.setString(1, holderId);
			statement.setLong(2, self.pid());
			statement.setString(3, truncate(self.hostname()));
			statement.setString(4, truncate(self.applicationName()));
			statement.setLong(5, leaseMillis);
			statement.setString(6, request.name());
			return statement.executeUpdate() == 1;
		}
	}

	private Optional<Row> selectOwnRow(ReadCommitted session, LockRequest request, String holderId)
			throws SQLException {
		try (PreparedStatement statement = prepare(session.connection(), session.sql().selectOwnRow(), request)) {
			statement.setString(1, request.name());
			statement.setString(2, holderId);
			return readRow(session, statement);
		}
	}

	private static Optional<Row> readRow(ReadCommitted session, PreparedStatement statement) throws SQLException {
		try (ResultSet rs = statement.executeQuery()) {
			return rs.next() ? Optional.of(new Row(rs.getLong(1), session.sql().dialect().readTime(rs, 2)))
					: Optional.empty();
		}
	}

	/**
	 * Extend a lease.
	 * @return whether the database extended it: {@code false} when it had expired or
	 * somebody else holds the row
	 */
	boolean renew(LockRequest request, String holderId, long token) throws SQLException {
		try (ReadCommitted session = this.connections.open(request)) {
			return update(session, session.sql().renew(), request, request.staleTimeout().toMillis(), holderId, token);
		}
	}

	/**
	 * Expire a lease now.
	 * @return whether the lease was still live
	 */
	boolean release(LockRequest request, String holderId, long token) throws SQLException {
		try (ReadCommitted session = this.connections.open(request)) {
			return update(session, session.sql().release(), request, null, holderId, token);
		}
	}

	/**
	 * Run an update of this holder's own row: parameters (lease millis,) name, holder id,
	 * token.
	 */
	private static boolean update(ReadCommitted session, String sql, LockRequest request, @Nullable Long leaseMillis,
			String holderId, long token) throws SQLException {
		Connection connection = session.connection();
		try (PreparedStatement statement = prepare(connection, sql, request)) {
			int index = 1;
			if (leaseMillis != null) {
				statement.setLong(index++, leaseMillis);
			}
			statement.setString(index++, request.name());
			statement.setString(index++, holderId);
			statement.setLong(index, token);
			boolean updated = statement.executeUpdate() == 1;
			commitUnlessAutoCommit(connection);
			return updated;
		}
	}

	/**
	 * Read the holder of the unexpired lease on a lock, if any.
	 */
	Optional<JdbcLockBackend.LiveHolder> readLiveHolder(LockRequest request) throws SQLException {
		try (ReadCommitted session = this.connections.open(request)) {
			try (PreparedStatement statement = prepare(session.connection(), session.sql().selectLiveHolder(),
					request)) {
				statement.setString(1, request.name());
				try (ResultSet rs = statement.executeQuery()) {
					if (!rs.next()) {
						return Optional.empty();
					}
					String holderId = rs.getString(1);
					long pid = rs.getLong(2);
					HolderRecord record = new HolderRecord(rs.wasNull() ? -1 : pid, rs.getString(3), null,
							session.sql().dialect().readTime(rs, 5), rs.getString(4), holderId);
					return Optional.of(new JdbcLockBackend.LiveHolder(holderId, rs.getLong(6), record));
				}
			}
		}
	}

	private static void bindHolder(PreparedStatement statement, String name, String holderId, HolderRecord self)
			throws SQLException {
		statement.setString(1, name);
		statement.setString(2, holderId);
		statement.setLong(3, self.pid());
		statement.setString(4, truncate(self.hostname()));
		statement.setString(5, truncate(self.applicationName()));
	}

	/**
	 * The holder as other instances will read it from the row: the table keeps no process
	 * start time, and the acquisition time is the database's.
	 */
	private static HolderRecord asStored(HolderRecord self, String holderId, @Nullable Instant acquiredAt) {
		return new HolderRecord(self.pid(), truncate(self.hostname()), null,
				(acquiredAt != null) ? acquiredAt : self.acquiredAt(), truncate(self.applicationName()), holderId);
	}

	/**
	 * The holder id a request writes into the row: its instance id, cut to the column's
	 * width.
	 * @param request the request
	 * @return the holder id
	 */
	static String holderId(LockRequest request) {
		String id = request.instanceId();
		return (id.length() > MAX_TEXT) ? id.substring(0, MAX_TEXT) : id;
	}

	/**
	 * Cut a text to the width of its column.
	 * @param value the text
	 * @return the text, at most 255 characters long
	 */
	private static @Nullable String truncate(@Nullable String value) {
		return (value != null && value.length() > MAX_TEXT) ? value.substring(0, MAX_TEXT) : value;
	}

	/**
	 * The statements of an acquisition inside its transaction.
	 */
	@FunctionalInterface
	private interface Write {

		/**
		 * Run the statements.
		 * @return whether they wrote this holder's row
		 * @throws SQLException when a statement fails
		 */
		boolean wrote() throws SQLException;

	}

	/**
	 * The row as an acquisition wrote it.
	 */
	private record Row(long token, @Nullable Instant acquiredAt) {
	}

	/**
	 * A lock acquired in the database.
	 *
	 * @param token the row's fencing token
	 * @param holder the holder as the row stores it
	 * @param sentAt {@link System#nanoTime()} just before the acquiring statement was
	 * sent
	 */
	record Acquired(long token, HolderRecord holder, long sentAt) {
	}

}
