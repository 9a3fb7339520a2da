package io.forwardlock.lock.jdbc;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link JdbcLockCalls}.
 */
@Timeout(60)
class JdbcLockCallsTests {

	@Test
	void closingEndsTheThreadsAndRefusesFurtherCalls() throws Exception {
		JdbcLockCalls calls = new JdbcLockCalls();
		Thread thread = calls.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
		assertThat(thread.isDaemon()).isTrue();
		assertThat(thread.getName()).startsWith("forward-lock-jdbc-");
		calls.close();
		calls.close();
		await().atMost(Duration.ofSeconds(10)).until(() -> !thread.isAlive());
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> calls.submit(() -> 1))
			.withMessageContaining("closed");
	}

	@Test
	void aCallUnderWayWhenClosingRunsToItsEnd() throws Exception {
		JdbcLockCalls calls = new JdbcLockCalls();
		CountDownLatch running = new CountDownLatch(1);
		CountDownLatch answer = new CountDownLatch(1);
		Future<String> call = calls.submit(() -> {
			running.countDown();
			assertThat(answer.await(10, TimeUnit.SECONDS)).isTrue();
			return "answered";
		});
		assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
		calls.close();
		answer.countDown();
		assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo("answered");
	}

}
