package io.forwardlock.lock.jdbc;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link JdbcLockConnections}. Its statements and isolation levels are covered
 * against every database by the JDBC contract tests of forward-lock-test-support.
 */
class JdbcLockConnectionsTests {

	@ParameterizedTest
	@ValueSource(strings = { "jdbc:h2:mem:orders", "jdbc:h2:mem:", "JDBC:H2:MEM:orders;DB_CLOSE_DELAY=-1",
			"jdbc:hsqldb:mem:orders", "jdbc:derby:memory:orders;create=true" })
	void databasesInTheJvmsOwnMemoryAreInMemory(String url) {
		assertThat(JdbcLockConnections.isInMemoryUrl(url)).isTrue();
	}

	@ParameterizedTest
	@NullSource
	@ValueSource(strings = { "jdbc:h2:file:/var/lib/orders", "jdbc:h2:tcp://db/orders", "jdbc:hsqldb:hsql://db/orders",
			"jdbc:derby://db:1527/orders", "jdbc:postgresql://db/orders", "jdbc:mariadb://db/orders?x=mem:" })
	void sharedDatabasesAreNotInMemory(String url) {
		assertThat(JdbcLockConnections.isInMemoryUrl(url)).isFalse();
	}

}
