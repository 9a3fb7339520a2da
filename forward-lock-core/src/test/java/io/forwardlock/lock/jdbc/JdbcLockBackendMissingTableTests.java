package io.forwardlock.lock.jdbc;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.InstanceLock;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRemedy;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.LockSetting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A lock table that does not exist is a configuration error, not an outage: a standby
 * that waits for the lock ends with a report that names the table, instead of retrying
 * forever.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JdbcLockBackendMissingTableTests {

	private final JdbcLockBackend backend = backendWithoutTable();

	private final LockRequest request = LockRequest.named("orders").build();

	@Test
	void missingTableIsAnInvalidConfigurationNamingTheTableAndTheSettingsThatCreateIt() {
		assertThatExceptionOfType(LockException.class).isThrownBy(() -> this.backend.tryAcquire(this.request))
			.satisfies((ex) -> {
				assertThat(ex.getType()).isEqualTo(LockErrorType.INVALID_CONFIGURATION);
				assertThat(ex.getMessage()).contains("FORWARD_LOCK").contains("does not exist");
				assertThat(ex.getRemedies()).flatMap(LockRemedy::changes)
					.extracting(LockRemedy.Change::setting)
					.contains(LockSetting.JDBC_INITIALIZE_SCHEMA, LockSetting.JDBC_TABLE_NAME);
			});
	}

	@Test
	void missingTableIsNotTransient() {
		LockException ex = assertThatExceptionOfType(LockException.class)
			.isThrownBy(() -> this.backend.tryAcquire(this.request))
			.actual();
		assertThat(InstanceLock.isTransient(ex)).isFalse();
	}

	@Test
	void standbyWaitEndsOnAMissingTableWithoutRetrying() {
		AtomicInteger retries = new AtomicInteger();
		assertThatExceptionOfType(LockException.class)
			.isThrownBy(() -> InstanceLock.awaitLease(this.backend, this.request, Duration.ofMillis(50),
					(failure, inARow, pause) -> retries.incrementAndGet()))
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.INVALID_CONFIGURATION));
		assertThat(retries).hasValue(0);
	}

	private static JdbcLockBackend backendWithoutTable() {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		JdbcLockBackend backend = new JdbcLockBackend(dataSource);
		backend.setAllowInMemoryDatabase(true);
		return backend;
	}

}
