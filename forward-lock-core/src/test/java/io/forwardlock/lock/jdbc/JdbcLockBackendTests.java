package io.forwardlock.lock.jdbc;

import java.nio.file.Path;
import java.time.Duration;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link JdbcLockBackend}: table names, and what closing it leaves working (on
 * an H2 database in a file). The database behaviour is covered by the JDBC contract tests
 * of forward-lock-test-support.
 */
@Timeout(60)
class JdbcLockBackendTests {

	@ParameterizedTest
	@ValueSource(strings = { "FORWARD_LOCK", "forward_lock", "_locks", "locks.FORWARD_LOCK",
			"a23456789012345678901234567890123456789012345678901234567890123" })
	void acceptsPlainAndSchemaQualifiedIdentifiers(String tableName) {
		assertThat(new JdbcLockBackend(new JdbcDataSource(), tableName).getTableName()).isEqualTo(tableName);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", " ", "1LOCKS", "locks;DROP TABLE x", "\"FORWARD_LOCK\"", "a.b.c", "locks.", "for ward",
			"a234567890123456789012345678901234567890123456789012345678901234" })
	void rejectsTableNamesThatAreNotPlainIdentifiersWithTheFix(String tableName) {
		assertThatIllegalArgumentException().isThrownBy(() -> new JdbcLockBackend(new JdbcDataSource(), tableName))
			.withMessageContaining("'" + tableName + "'")
			.withMessageContaining("plain SQL identifier")
			.withMessageNotContaining("forward.lock");
	}

	@Test
	void rejectsAMissingTableName() {
		assertThatIllegalArgumentException().isThrownBy(() -> new JdbcLockBackend(new JdbcDataSource(), null))
			.withMessageContaining("plain SQL identifier");
	}

	@Test
	void isTheJdbcBackendAndAlwaysNeedsAHeartbeat() {
		JdbcLockBackend backend = new JdbcLockBackend(new JdbcDataSource());
		assertThat(backend.id()).isEqualTo("jdbc");
		assertThat(backend.requiresHeartbeat()).isTrue();
		assertThat(backend.getTableName()).isEqualTo("FORWARD_LOCK");
		assertThat(backend.describeLocation(LockRequest.named("orders").build()))
			.isEqualTo("table FORWARD_LOCK, lock_name 'orders'");
	}

	@Test
	void aClosedBackendStillReleasesButNoLongerRenews(@TempDir Path dir) {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL("jdbc:h2:file:" + dir.resolve("db"));
		new JdbcLockSchemaInitializer(dataSource).initialize();
		LockRequest request = LockRequest.named("closed")
			.heartbeat(Duration.ofSeconds(5), Duration.ofSeconds(30))
			.build();
		JdbcLockBackend backend = new JdbcLockBackend(dataSource);
		LockLease lease = backend.tryAcquire(request).orElseThrow();
		backend.close();
		backend.close();
		assertThatExceptionOfType(LockException.class).isThrownBy(lease::heartbeat)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE));
		lease.release();
		assertThat(new JdbcLockBackend(dataSource).inspect(request)).isEmpty();
	}

}
