package io.forwardlock.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ColdStandby}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ColdStandbyTests {

	@Test
	void awaitsTheNamedThreadUntilItEnds() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		Thread preinit = new Thread(() -> awaitQuietly(release), "cold-standby-test-a");
		preinit.start();
		try {
			assertThat(ColdStandby.awaitThread("cold-standby-test-a", Duration.ofMillis(50))).isFalse();
		}
		finally {
			release.countDown();
		}
		assertThat(ColdStandby.awaitThread("cold-standby-test-a", Duration.ofSeconds(30))).isTrue();
		assertThat(preinit.isAlive()).isFalse();
	}

	@Test
	void awaitsNothingWhenNoSuchThreadRuns() {
		assertThat(ColdStandby.awaitThread("cold-standby-test-none", Duration.ofSeconds(30))).isTrue();
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
