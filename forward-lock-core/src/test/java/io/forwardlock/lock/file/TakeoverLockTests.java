package io.forwardlock.lock.file;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Two threads of one JVM on one takeover file (two acquisitions under two names, or a
 * release that gave up while a verification holds the takeover lock): the one that waits
 * must never close a descriptor of the file while the other holds its lock, since that
 * would drop the lock and let another process into the takeover section.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TakeoverLockTests {

	@TempDir
	Path directory;

	private final ExecutorService executor = Executors.newCachedThreadPool();

	private LockTarget target;

	@BeforeEach
	void prepare() {
		assumeThat(OtherProcess.available()).as("python3 plays the other process").isTrue();
		this.target = new FileLockBackend(this.directory).target(LockRequest.named("app").build(), true);
	}

	@AfterEach
	void stop() {
		this.executor.shutdownNow();
	}

	private static boolean awaitQuietly(CountDownLatch latch) {
		try {
			return latch.await(50, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	@Test
	void threadThatFindsTheTakeoverLockBusyLeavesTheHoldersLockInPlace() throws Exception {
		CountDownLatch holding = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(1);
		Future<Boolean> holder = this.executor.submit(() -> TakeoverLock.serialized(this.target, () -> {
			holding.countDown();
			return awaitQuietly(done);
		}, false));
		assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
		try {
			Boolean waiter = this.executor.submit(() -> TakeoverLock.serialized(this.target, () -> true, false))
				.get(30, TimeUnit.SECONDS);
			assertThat(waiter).as("the waiting thread got the takeover lock while it was held").isFalse();
			assertThat(OtherProcess.canLock(this.target.takeoverFile()))
				.as("another process can lock the takeover file while a thread of this JVM holds it")
				.isFalse();
		}
		finally {
			done.countDown();
		}
		assertThat(holder.get(30, TimeUnit.SECONDS)).isTrue();
		assertThat(this.executor.submit(() -> TakeoverLock.serialized(this.target, () -> true, false))
			.get(30, TimeUnit.SECONDS)).as("the takeover lock after the holder let go").isTrue();
	}

}
