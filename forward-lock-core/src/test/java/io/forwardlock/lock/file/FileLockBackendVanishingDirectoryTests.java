package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link FileLockBackend} when its lock directory is deleted while it attempts
 * to lock (a tmp cleaner, an operator's {@code rm -rf}), between the directory's check
 * and the open of the lock file.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FileLockBackendVanishingDirectoryTests {

	private final LockRequest request = LockRequest.named("app").build();

	@TempDir
	Path parent;

	@Test
	void tryAcquireCreatesADirectoryDeletedBeforeItsOpenAgainAndTakesTheLock() throws Exception {
		Path directory = this.parent.resolve("locks");
		AtomicInteger deletions = new AtomicInteger();
		FileLockBackend backend = backendDeletingTheDirectoryBeforeOpens(directory, 2, deletions);
		try (LockLease lease = backend.tryAcquire(this.request).orElseThrow()) {
			assertThat(deletions).hasValue(2);
			assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
			assertThat(directory.resolve("app.lock")).isRegularFile();
		}
	}

	@Test
	void waitingAcquisitionCreatesADirectoryDeletedBeforeItsOpenAgainAndTakesTheLock() throws Exception {
		Path directory = this.parent.resolve("locks");
		AtomicInteger deletions = new AtomicInteger();
		FileLockBackend backend = backendDeletingTheDirectoryBeforeOpens(directory, 2, deletions);
		try (LockLease lease = backend.acquireBlocking(this.request, Duration.ofMillis(10))) {
			assertThat(deletions).hasValue(2);
			assertThat(directory.resolve("app.lock")).isRegularFile();
		}
	}

	private static FileLockBackend backendDeletingTheDirectoryBeforeOpens(Path directory, int times,
			AtomicInteger deletions) {
		return new FileLockBackend(directory, OsLocks.PROC, System::nanoTime, (path, createNew) -> {
			if (deletions.get() < times) {
				deleteTree(directory);
				deletions.incrementAndGet();
			}
			return LockAttempts.open(path, createNew);
		});
	}

	private static void deleteTree(Path directory) throws IOException {
		try (Stream<Path> paths = Files.walk(directory)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
	}

}
