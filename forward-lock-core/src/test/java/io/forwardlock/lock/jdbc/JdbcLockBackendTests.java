package io.forwardlock.lock.jdbc;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.forwardlock.lock.LockRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link JdbcLockBackend} that need no database.
 */
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

}
