package io.forwardlock.lock.jdbc;

/**
 * The SQL of the JDBC backend for one table on one database. Every condition on time
 * compares with the database's clock, and every statement that changes a held row names
 * both the holder id and the fencing token, so that a stale lease can never touch the row
 * of a later acquisition, even one by the same instance.
 */
final class JdbcLockStatements {

	private static final String COLUMNS = "lock_name, holder_id, pid, host, application_name, "
			+ "acquired_at, renewed_at, expires_at, fencing_token";

	private static final String HOLDER_COLUMNS = "holder_id, pid, host, application_name, acquired_at, fencing_token";

	private final JdbcLockDialect dialect;

	private final String upsert;

	private final String selectForUpdate;

	private final String insert;

	private final String takeOver;

	private final String selectOwnRow;

	private final String renew;

	private final String release;

	private final String selectLiveHolder;

	JdbcLockStatements(JdbcLockDialect dialect, String table) {
		this.dialect = dialect;
		String now = dialect.now();
		String expiry = dialect.plusMillis(now);
		this.upsert = "INSERT INTO " + table + " AS t (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, " + now + ", " + now
				+ ", " + expiry + ", 1) ON CONFLICT (lock_name) DO UPDATE SET holder_id = EXCLUDED.holder_id, "
				+ "pid = EXCLUDED.pid, host = EXCLUDED.host, application_name = EXCLUDED.application_name, "
				+ "acquired_at = EXCLUDED.acquired_at, renewed_at = EXCLUDED.renewed_at, "
				+ "expires_at = EXCLUDED.expires_at, fencing_token = t.fencing_token + 1 WHERE t.expires_at <= " + now
				+ " RETURNING fencing_token, acquired_at";
		this.selectForUpdate = "SELECT CASE WHEN expires_at <= " + now + " THEN 1 ELSE 0 END FROM " + table
				+ " WHERE lock_name = ? FOR UPDATE";
		this.insert = "INSERT INTO " + table + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, " + now + ", " + now + ", "
				+ expiry + ", 1)";
		this.takeOver = "UPDATE " + table + " SET holder_id = ?, pid = ?, host = ?, application_name = ?, "
				+ "acquired_at = " + now + ", renewed_at = " + now + ", expires_at = " + expiry
				+ ", fencing_token = fencing_token + 1 WHERE lock_name = ? AND expires_at <= " + now;
		this.selectOwnRow = "SELECT fencing_token, acquired_at FROM " + table
				+ " WHERE lock_name = ? AND holder_id = ?";
		this.renew = "UPDATE " + table + " SET renewed_at = " + now + ", expires_at = " + expiry
				+ " WHERE lock_name = ? AND holder_id = ? AND fencing_token = ? AND expires_at > " + now;
		this.release = "UPDATE " + table + " SET expires_at = " + now
				+ " WHERE lock_name = ? AND holder_id = ? AND fencing_token = ? AND expires_at > " + now;
		this.selectLiveHolder = "SELECT " + HOLDER_COLUMNS + " FROM " + table + " WHERE lock_name = ? AND expires_at > "
				+ now;
	}

	JdbcLockDialect dialect() {
		return this.dialect;
	}

	/**
	 * Insert the row or take over an expired one, returning the new token and the
	 * acquisition time. Parameters: name, holder id, pid, host, application name, lease
	 * millis. PostgreSQL only.
	 */
	String upsert() {
		return this.upsert;
	}

	/**
	 * Lock the row and tell whether it has expired. Parameter: name.
	 */
	String selectForUpdate() {
		return this.selectForUpdate;
	}

	/**
	 * Insert a first row with token 1. Parameters: name, holder id, pid, host,
	 * application name, lease millis.
	 */
	String insert() {
		return this.insert;
	}

	/**
	 * Take over an expired row and increment its token. Parameters: holder id, pid, host,
	 * application name, lease millis, name.
	 */
	String takeOver() {
		return this.takeOver;
	}

	/**
	 * Read the token and acquisition time just written. Parameters: name, holder id.
	 */
	String selectOwnRow() {
		return this.selectOwnRow;
	}

	/**
	 * Extend an unexpired lease. Parameters: lease millis, name, holder id, token.
	 */
	String renew() {
		return this.renew;
	}

	/**
	 * Expire an unexpired lease now, keeping its token. Parameters: name, holder id,
	 * token.
	 */
	String release() {
		return this.release;
	}

	/**
	 * Read the holder of an unexpired lease. Parameter: name.
	 */
	String selectLiveHolder() {
		return this.selectLiveHolder;
	}

}
