package io.forwardlock.lock.jdbc;

import java.util.Locale;

/**
 * SQL that differs between the databases the JDBC backend supports. Every time in the
 * lock table comes from the database's clock, so hosts whose clocks disagree still agree
 * on when a lease expires.
 */
enum JdbcLockDialect {

	/**
	 * PostgreSQL: takes a lock in one {@code INSERT ... ON CONFLICT DO UPDATE} statement.
	 */
	POSTGRESQL("PostgreSQL", "postgresql", "clock_timestamp()") {

		@Override
		String plusMillis(String timestamp) {
			return "(" + timestamp + " + CAST(? AS BIGINT) * INTERVAL '1 millisecond')";
		}

		@Override
		boolean acquiresInOneStatement() {
			return true;
		}

	},

	/**
	 * H2: takes a lock in a short transaction that locks the row with
	 * {@code SELECT ... FOR UPDATE} before it decides.
	 */
	H2("H2", "h2", "CURRENT_TIMESTAMP") {

		@Override
		String plusMillis(String timestamp) {
			return "DATEADD(MILLISECOND, CAST(? AS BIGINT), " + timestamp + ")";
		}

		@Override
		boolean acquiresInOneStatement() {
			return false;
		}

	};

	private final String productName;

	private final String platform;

	private final String now;

	JdbcLockDialect(String productName, String platform, String now) {
		this.productName = productName;
		this.platform = platform;
		this.now = now;
	}

	/**
	 * Database product name, as JDBC metadata reports it.
	 * @return the product name
	 */
	String productName() {
		return this.productName;
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
	 * Whether this database inserts or takes over a row in one atomic statement, rather
	 * than in a transaction that locks the row first.
	 * @return whether acquisition is a single statement
	 */
	abstract boolean acquiresInOneStatement();

	/**
	 * Classpath location of the schema script for this database.
	 * @return the resource path
	 */
	String schemaResource() {
		return "io/forwardlock/lock/jdbc/schema-" + this.platform + ".sql";
	}

	/**
	 * Find the dialect for a database product name.
	 * @param productName the product name reported by the JDBC driver
	 * @return the dialect
	 * @throws IllegalStateException when the database is not supported
	 */
	static JdbcLockDialect forProductName(String productName) {
		String name = (productName != null) ? productName.toLowerCase(Locale.ROOT) : "";
		for (JdbcLockDialect dialect : values()) {
			if (name.startsWith(dialect.productName.toLowerCase(Locale.ROOT))) {
				return dialect;
			}
		}
		throw new IllegalStateException("The JDBC lock backend does not support the database '" + productName
				+ "'. Supported databases: PostgreSQL and H2. Use forward.lock.backend=file, or open an issue "
				+ "asking for this database");
	}

}
