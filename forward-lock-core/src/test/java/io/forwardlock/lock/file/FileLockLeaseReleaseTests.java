package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A release never waits behind a verification that is stuck (here: held right after it
 * opened the lock file; in life: a hung file system).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLockLeaseReleaseTests {

	@TempDir
	Path directory;

	private final ExecutorService executor = Executors.newCachedThreadPool();

	private final LockRequest request = LockRequest.named("app").build();

	@AfterEach
	void stop() {
		this.executor.shutdownNow();
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(60, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Test
	void releaseDoesNotWaitBehindAStuckVerificationAndLetsGoOfTheLock() throws Exception {
		CountDownLatch stuck = new CountDownLatch(1);
		CountDownLatch resume = new CountDownLatch(1);
		AtomicBoolean stickAfterOpen = new AtomicBoolean();
		FileLockBackend backend = new FileLockBackend(this.directory, OsLocks.PROC, System::nanoTime,
				(path, createNew) -> {
					FileChannel channel = LockAttempts.open(path, createNew);
					if (stickAfterOpen.get()) {
						stuck.countDown();
						awaitQuietly(resume);
					}
					return channel;
				});
		LockLease lease = backend.tryAcquire(this.request).orElseThrow();
		stickAfterOpen.set(true);
		// the verification re-creates the deleted file and gets stuck after opening it
		Files.delete(this.directory.resolve("app.lock"));
		Future<Verification> verifying = this.executor.submit(lease::verify);
		assertThat(stuck.await(30, TimeUnit.SECONDS)).isTrue();
		Future<LockErrorType> releasing = this.executor.submit(() -> {
			try {
				lease.release();
				return null;
			}
			catch (LockException ex) {
				return ex.getType();
			}
		});
		assertThat(releasing.get(30, TimeUnit.SECONDS)).isEqualTo(LockErrorType.RELEASE_FAILED);
		assertThat(lease.isReleased()).isTrue();
		resume.countDown();
		assertThat(verifying.get(30, TimeUnit.SECONDS).status()).isEqualTo(Verification.Status.LOST);
		stickAfterOpen.set(false);
		LockLease next = new FileLockBackend(this.directory).tryAcquire(this.request).orElseThrow();
		next.release();
	}

}
