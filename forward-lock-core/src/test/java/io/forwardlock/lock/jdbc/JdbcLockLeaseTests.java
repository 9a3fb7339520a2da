package io.forwardlock.lock.jdbc;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link JdbcLockLease} that need no database.
 */
class JdbcLockLeaseTests {

	@Test
	void holderTrustsAShortLeaseForFourFifthsOfIt() {
		assertThat(Duration.ofNanos(JdbcLockLease.localLeaseNanos(Duration.ofSeconds(4))))
			.isEqualTo(Duration.ofMillis(3200));
	}

	@Test
	void holderGivesALongLeaseUpOneSecondEarly() {
		assertThat(Duration.ofNanos(JdbcLockLease.localLeaseNanos(Duration.ofSeconds(60))))
			.isEqualTo(Duration.ofSeconds(59));
	}

}
