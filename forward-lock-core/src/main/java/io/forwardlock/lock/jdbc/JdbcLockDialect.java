package io.forwardlock.lock.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockRemedy;
import io.forwardlock.lock.LockSetting;
import org.jspecify.annotations.Nullable;

/**
 * SQL that differs between the databases the JDBC backend supports. Every time in the
 * lock table comes from the database's clock, so hosts whose clocks disagree still agree
 * on when a lease expires.
 */
enum JdbcLockDialect {

	/**
	 * PostgreSQL: takes a lock in one {@code INSERT ... ON CONFLICT DO UPDATE} statement.
	 */
	POSTGRESQL("postgresql", "clock_timestamp()", "PostgreSQL") {

		@Override
		String plusMillis(String timestamp) {
			return "(" + timestamp + " + CAST(? AS BIGINT) * INTERVAL '1 millisecond')";
		}

		@Override
		Acquisition acquisition() {
			return Acquisition.UPSERT;
		}

	},

	/**
	 * H2: takes a lock in a short transaction that tries the conditional takeover first
	 * and inserts the first row when there is none. H2 does not lock the row with
	 * {@code SELECT ... FOR UPDATE}: with MVStore, rolling back a transaction that had
	 * only locked the row could put back the version it had locked, undoing a release and
	 * an acquisition that other transactions had committed since, and so leave a live
	 * lease in the row that nobody holds.
	 */
	H2("h2", "CURRENT_TIMESTAMP", "H2") {

		@Override
		String plusMillis(String timestamp) {
			return "DATEADD(MILLISECOND, CAST(? AS BIGINT), " + timestamp + ")";
		}

		@Override
		Acquisition acquisition() {
			return Acquisition.UPDATE_FIRST;
		}

	},

	/**
	 * MySQL and MariaDB, through either driver (MySQL Connector/J reports "MySQL" for
	 * both servers, MariaDB Connector/J "MariaDB"): a short transaction that locks the
	 * row with {@code SELECT ... FOR UPDATE} before it decides. Times are
	 * {@code DATETIME(6)} written with {@code UTC_TIMESTAMP(6)}: the database's clock in
	 * UTC to the microsecond, never converted through the session's time zone, so
	 * daylight saving and a session or server zone cannot move an expiry.
	 * {@code ON DUPLICATE KEY UPDATE} is not used: its assignments are evaluated left to
	 * right, which makes conditional takeovers fragile.
	 */
	MYSQL("mysql", "UTC_TIMESTAMP(6)", "MySQL", "MariaDB") {

		@Override
		String plusMillis(String timestamp) {
			return "TIMESTAMPADD(MICROSECOND, CAST(? AS SIGNED) * 1000, " + timestamp + ")";
		}

		@Override
		Acquisition acquisition() {
			return Acquisition.LOCK_ROW_FIRST;
		}

		@Override
		boolean isDuplicateKey(SQLException ex) {
			return ex.getErrorCode() == MYSQL_DUPLICATE_ENTRY;
		}

		@Override
		boolean isRetryable(SQLException ex) {
			for (SQLException current = ex; current != null; current = next(current)) {
				int code = current.getErrorCode();
				if (code == MYSQL_DEADLOCK || code == MYSQL_LOCK_WAIT_TIMEOUT || code == MYSQL_RECORD_CHANGED) {
					return true;
				}
			}
			return super.isRetryable(ex);
		}

		/**
		 * A {@code DATETIME} has no zone: read its fields as they are, as UTC, without
		 * the driver's conversions through the JVM's zone (which would shift a time that
		 * falls into that zone's daylight-saving gap).
		 */
		@Override
		@Nullable Instant readTime(ResultSet rs, int column) throws SQLException {
			LocalDateTime value = rs.getObject(column, LocalDateTime.class);
			return (value != null) ? value.toInstant(ZoneOffset.UTC) : null;
		}

	};

	/**
	 * SQL state of a unique key violation in the SQL standard (PostgreSQL, H2).
	 */
	private static final String DUPLICATE_KEY_STATE = "23505";

	/**
	 * MySQL's ER_DUP_ENTRY: duplicate entry for a key (SQL state 23000, which covers
	 * other integrity violations too).
	 */
	private static final int MYSQL_DUPLICATE_ENTRY = 1062;

	/**
	 * MySQL's ER_LOCK_DEADLOCK: deadlock, and on Galera a certification failure ("WSREP
	 * detected deadlock/conflict").
	 */
	private static final int MYSQL_DEADLOCK = 1213;

	/**
	 * MySQL's ER_LOCK_WAIT_TIMEOUT: innodb_lock_wait_timeout passed while waiting for a
	 * row lock.
	 */
	private static final int MYSQL_LOCK_WAIT_TIMEOUT = 1205;

	/**
	 * MySQL's ER_CHECKREAD: the record changed since it was read (Galera, and older
	 * versions).
	 */
	private static final int MYSQL_RECORD_CHANGED = 1020;

	private final String platform;

	private final String now;

	private final String[] productNames;

	JdbcLockDialect(String platform, String now, String... productNames) {
		this.platform = platform;
		this.now = now;
		this.productNames = productNames;
	}

	/**
	 * Platform name used in schema script names, such as {@code postgresql}.
	 * @return the platform name
	 */
	String platform() {
		return this.platform;
	}

	/**
	 * SQL expression for the database's current time.
	 * @return the expression
	 */
	String now() {
		return this.now;
	}

	/**
	 * SQL expression that adds a number of milliseconds, bound as one parameter, to a
	 * timestamp expression.
	 * @param timestamp the timestamp expression
	 * @return the expression, with one {@code ?} for the milliseconds
	 */
	abstract String plusMillis(String timestamp);

	/**
	 * How this database inserts the lock's row or takes over an expired one.
	 * @return the statements of an acquisition
	 */
	abstract Acquisition acquisition();

	/**
	 * Whether a failed insert failed because the row exists already: another instance
	 * inserted the first row of the lock since this one looked.
	 * @param ex the failure
	 * @return whether it is a duplicate key
	 */
	boolean isDuplicateKey(SQLException ex) {
		return DUPLICATE_KEY_STATE.equals(ex.getSQLState());
	}

	/**
	 * Whether a failed acquisition may simply be tried again at once: the database rolled
	 * the transaction back because of a concurrent one (a deadlock, a serialization or
	 * certification failure, a lock wait that timed out), not because it is unwell.
	 * @param ex the failure
	 * @return whether to try again
	 */
	boolean isRetryable(SQLException ex) {
		// SQL state class 40: transaction rollback (serialization failure, deadlock)
		for (SQLException current = ex; current != null; current = next(current)) {
			String state = current.getSQLState();
			if (state != null && state.startsWith("40")) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Read a time column written by {@link #now()} as an instant.
	 * @param rs the result set, on a row
	 * @param column the column index
	 * @return the instant, or {@code null} for SQL {@code NULL}
	 * @throws SQLException if the column cannot be read
	 */
	@Nullable Instant readTime(ResultSet rs, int column) throws SQLException {
		Object value = rs.getObject(column);
		if (value instanceof OffsetDateTime offset) {
			return offset.toInstant();
		}
		if (value instanceof Timestamp timestamp) {
			return timestamp.toInstant();
		}
		OffsetDateTime converted = rs.getObject(column, OffsetDateTime.class);
		return (converted != null) ? converted.toInstant() : null;
	}

	private static @Nullable SQLException next(SQLException ex) {
		return (ex.getCause() instanceof SQLException cause && cause != ex) ? cause : null;
	}

	/**
	 * Classpath location of the schema script for this database.
	 * @return the resource path
	 */
	String schemaResource() {
		return JdbcLockSchemaInitializer.scriptFor(this.platform);
	}

	/**
	 * Find the dialect for a database product name.
	 * @param productName the product name reported by the JDBC driver
	 * @return the dialect
	 * @throws IllegalStateException when the database is not supported
	 */
	static JdbcLockDialect forProductName(@Nullable String productName) {
		String name = (productName != null) ? productName.toLowerCase(Locale.ROOT) : "";
		for (JdbcLockDialect dialect : values()) {
			for (String candidate : dialect.productNames) {
				if (name.startsWith(candidate.toLowerCase(Locale.ROOT))) {
					return dialect;
				}
			}
		}
		throw LockErrors.invalidConfiguration(
				"The JDBC lock backend does not support the database '" + productName
						+ "'; it supports PostgreSQL, MariaDB, MySQL and H2",
				null, LockRemedy.of("Use a supported database, or lock on one host with the file backend",
						LockSetting.BACKEND, "file"),
				LockRemedy.of("Or open an issue asking for this database"));
	}

	/**
	 * The statements of an acquisition: each inserts the lock's row or takes over an
	 * expired one atomically, and leaves a live row alone.
	 */
	enum Acquisition {

		/**
		 * One {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE expired RETURNING}
		 * statement.
		 */
		UPSERT,

		/**
		 * A short transaction: {@code SELECT ... FOR UPDATE} on the row, then the first
		 * row's {@code INSERT} or the conditional takeover {@code UPDATE}.
		 */
		LOCK_ROW_FIRST,

		/**
		 * A short transaction: the conditional takeover {@code UPDATE} first, then the
		 * first row's {@code INSERT} when it changed nothing. No statement locks a row
		 * that it does not change.
		 */
		UPDATE_FIRST

	}

}
