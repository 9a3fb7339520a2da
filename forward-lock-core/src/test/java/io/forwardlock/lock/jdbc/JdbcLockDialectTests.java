package io.forwardlock.lock.jdbc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link JdbcLockDialect}.
 */
class JdbcLockDialectTests {

	@Test
	void findsTheDialectByTheDriversProductName() {
		assertThat(JdbcLockDialect.forProductName("PostgreSQL")).isEqualTo(JdbcLockDialect.POSTGRESQL);
		assertThat(JdbcLockDialect.forProductName("H2")).isEqualTo(JdbcLockDialect.H2);
	}

	@Test
	void unsupportedDatabaseFailsNamingTheSupportedOnesAndTheFileBackend() {
		assertThatIllegalStateException().isThrownBy(() -> JdbcLockDialect.forProductName("MySQL"))
			.withMessageContaining("'MySQL'")
			.withMessageContaining("PostgreSQL and H2")
			.withMessageContaining("forward.lock.backend=file");
	}

	@Test
	void schemaScriptOfEveryDialectShipsOnTheClassPath() {
		for (JdbcLockDialect dialect : JdbcLockDialect.values()) {
			assertThat(getClass().getClassLoader().getResource(dialect.schemaResource())).as(dialect.name())
				.isNotNull();
		}
	}

}
