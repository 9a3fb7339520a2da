package io.forwardlock.lock.jdbc;

import java.nio.file.Path;
import java.util.UUID;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link JdbcLockSchemaInitializer}. Creating tables is covered against every
 * database by {@link JdbcLockBackendContractTests}.
 */
class JdbcLockSchemaInitializerTests {

	@Test
	void inMemoryDatabaseIsEmbedded() {
		assertThat(JdbcLockSchemaInitializer.isEmbedded(h2("jdbc:h2:mem:" + UUID.randomUUID()))).isTrue();
	}

	@Test
	void databaseOnDiskIsNotEmbedded(@TempDir Path dir) {
		assertThat(JdbcLockSchemaInitializer.isEmbedded(h2("jdbc:h2:file:" + dir.resolve("db")))).isFalse();
	}

	@Test
	void unreachableDatabaseIsNotEmbedded(@TempDir Path dir) {
		// IFEXISTS refuses to create the database, so no connection can be made
		assertThat(JdbcLockSchemaInitializer.isEmbedded(h2("jdbc:h2:file:" + dir.resolve("none") + ";IFEXISTS=TRUE")))
			.isFalse();
	}

	@Test
	void failureToCreateTheTableSaysHowToCreateItByHand(@TempDir Path dir) {
		JdbcLockSchemaInitializer initializer = new JdbcLockSchemaInitializer(
				h2("jdbc:h2:file:" + dir.resolve("none") + ";IFEXISTS=TRUE"), "FORWARD_LOCK");
		assertThatIllegalStateException().isThrownBy(initializer::initialize)
			.withMessageContaining("FORWARD_LOCK")
			.withMessageContaining("forward.lock.jdbc.initialize-schema=never");
	}

	private static JdbcDataSource h2(String url) {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL(url);
		return dataSource;
	}

}
