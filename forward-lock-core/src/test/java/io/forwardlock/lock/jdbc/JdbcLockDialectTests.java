package io.forwardlock.lock.jdbc;

import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;

import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRemedy;
import io.forwardlock.lock.LockSetting;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link JdbcLockDialect}.
 */
class JdbcLockDialectTests {

	@Test
	void findsTheDialectByTheDriversProductName() {
		assertThat(JdbcLockDialect.forProductName("PostgreSQL")).isEqualTo(JdbcLockDialect.POSTGRESQL);
		assertThat(JdbcLockDialect.forProductName("H2")).isEqualTo(JdbcLockDialect.H2);
		// MariaDB Connector/J says "MariaDB" for a MariaDB server; MySQL Connector/J says
		// "MySQL" for both: one dialect serves them all
		assertThat(JdbcLockDialect.forProductName("MariaDB")).isEqualTo(JdbcLockDialect.MYSQL);
		assertThat(JdbcLockDialect.forProductName("MySQL")).isEqualTo(JdbcLockDialect.MYSQL);
		assertThat(JdbcLockDialect.forProductName("mysql")).isEqualTo(JdbcLockDialect.MYSQL);
	}

	@Test
	void mariaDbAndMySqlUseTheDatabasesUtcClockToTheMicrosecond() {
		JdbcLockDialect dialect = JdbcLockDialect.MYSQL;
		assertThat(dialect.now()).isEqualTo("UTC_TIMESTAMP(6)");
		assertThat(dialect.plusMillis(dialect.now()))
			.isEqualTo("TIMESTAMPADD(MICROSECOND, CAST(? AS SIGNED) * 1000, UTC_TIMESTAMP(6))");
		assertThat(dialect.acquisition()).isEqualTo(JdbcLockDialect.Acquisition.LOCK_ROW_FIRST);
	}

	@Test
	void deadlocksLockWaitTimeoutsAndGaleraConflictsAreRetriedOnMariaDbAndMySql() {
		JdbcLockDialect dialect = JdbcLockDialect.MYSQL;
		assertThat(dialect.isRetryable(new SQLException("Deadlock found when trying to get lock", "40001", 1213)))
			.isTrue();
		assertThat(dialect.isRetryable(new SQLException("Lock wait timeout exceeded", "HY000", 1205))).isTrue();
		assertThat(dialect.isRetryable(new SQLException("WSREP detected deadlock/conflict", "40001", 1213))).isTrue();
		assertThat(dialect
			.isRetryable(new SQLException("wrapped", "HY000", 0, new SQLException("deadlock", "40001", 1213))))
			.isTrue();
		assertThat(dialect.isRetryable(new SQLException("Table doesn't exist", "42S02", 1146))).isFalse();
		assertThat(dialect.isRetryable(new SQLException("Access denied", "28000", 1045))).isFalse();
		assertThat(dialect.isDuplicateKey(new SQLException("Duplicate entry", "23000", 1062))).isTrue();
		assertThat(dialect.isDuplicateKey(new SQLException("Cannot be null", "23000", 1048))).isFalse();
	}

	@Test
	void transactionRollbacksAreRetriedOnEveryDatabase() {
		for (JdbcLockDialect dialect : JdbcLockDialect.values()) {
			assertThat(dialect.isRetryable(new SQLTransactionRollbackException("deadlock", "40P01"))).isTrue();
			assertThat(dialect.isRetryable(new SQLException("connection refused", "08001"))).isFalse();
		}
	}

	@Test
	void unsupportedDatabaseFailsNamingTheSupportedOnesAndTheFileBackend() {
		assertThatExceptionOfType(LockException.class).isThrownBy(() -> JdbcLockDialect.forProductName("Apache Derby"))
			.withMessageContaining("'Apache Derby'")
			.withMessageContaining("PostgreSQL, MariaDB, MySQL and H2")
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.INVALID_CONFIGURATION))
			.satisfies((ex) -> assertThat(ex.getRemedies()).first()
				.satisfies((remedy) -> assertThat(remedy.changes())
					.containsExactly(LockRemedy.Change.to(LockSetting.BACKEND, "file"))));
	}

	@Test
	void mariaDbAndMySqlShareOneSchemaScript() {
		assertThat(JdbcLockDialect.MYSQL.schemaResource()).isEqualTo("io/forwardlock/lock/jdbc/schema-mysql.sql");
		assertThat(getClass().getClassLoader().getResource("io/forwardlock/lock/jdbc/schema-mariadb.sql")).isNull();
	}

	@Test
	void schemaScriptOfEveryDialectShipsOnTheClassPath() {
		for (JdbcLockDialect dialect : JdbcLockDialect.values()) {
			assertThat(getClass().getClassLoader().getResource(dialect.schemaResource())).as(dialect.name())
				.isNotNull();
		}
	}

}
