package io.forwardlock.lock.jdbc;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A database in the JVM's own memory is private to that JVM: a lock in it excludes no
 * other instance, so {@link JdbcLockBackend} refuses it unless a test opts in.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JdbcLockBackendInMemoryTests {

	private final JdbcDataSource database = new JdbcDataSource();

	private final LockRequest request = LockRequest.named("orders").build();

	JdbcLockBackendInMemoryTests() {
		this.database.setURL("jdbc:h2:mem:forward-lock-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		new JdbcLockSchemaInitializer(this.database, JdbcLockBackend.DEFAULT_TABLE_NAME).initialize();
	}

	@Test
	void refusesAnInMemoryDatabaseSayingWhyAndWhatToDo() {
		JdbcLockBackend backend = new JdbcLockBackend(this.database);
		assertThatExceptionOfType(LockException.class).isThrownBy(() -> backend.tryAcquire(this.request))
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.INVALID_CONFIGURATION))
			.withMessageContaining("jdbc:h2:mem:")
			.withMessageContaining("only this JVM")
			.withMessageContaining("shared database");
		assertThatExceptionOfType(LockException.class).isThrownBy(() -> backend.inspect(this.request));
	}

	@Test
	void acquiresOnAnInMemoryDatabaseWhenATestOptsIn() {
		JdbcLockBackend backend = new JdbcLockBackend(this.database);
		backend.setAllowInMemoryDatabase(true);
		assertThat(backend.tryAcquire(this.request)).isPresent();
	}

}
