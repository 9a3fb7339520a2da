package io.forwardlock.lifecycle;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ShutdownOnLockLost}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShutdownOnLockLostTests {

	@Test
	void closesTheContextAndExitsWithTheLostExitCode() throws Exception {
		GenericApplicationContext context = new GenericApplicationContext();
		context.refresh();
		CompletableFuture<Integer> exit = new CompletableFuture<>();
		new ShutdownOnLockLost(context, 76, exit::complete).lockLost(lostEvent());
		assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(76);
		assertThat(context.isActive()).isFalse();
	}

	static LockLostEvent lostEvent() {
		LockStatus status = new LockStatus(LockState.LOST, "file", "orders", "/tmp/orders.lock", null, false,
				Duration.ofSeconds(30), Duration.ofSeconds(60), null, Duration.ofSeconds(5), null, null);
		return new LockLostEvent(new Object(), status, "lock file replaced", null);
	}

}
