package io.forwardlock.lifecycle;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link ForwardLockLifecycle} with the real file backend: a deleted lock file or lock
 * directory is noticed at once, not at the next scheduled verification.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForwardLockLifecycleFileTests {

	private static final Duration NEVER = Duration.ofHours(1);

	@TempDir
	Path directory;

	private final List<LockLostEvent> handled = new CopyOnWriteArrayList<>();

	private ForwardLockLifecycle lifecycle;

	@AfterEach
	void stopLifecycle() {
		if (this.lifecycle != null) {
			this.lifecycle.destroy();
		}
	}

	private void start(Path lockDirectory) {
		this.lifecycle = new ForwardLockLifecycle(new FileLockBackend(lockDirectory), LockRequest.named("app").build(),
				LockAcquisitionPolicy.failFast(75), NEVER, this.handled::add);
		this.lifecycle.setApplicationEventPublisher((event) -> {
		});
		this.lifecycle.start();
	}

	@Test
	void deletedLockFileIsNoticedAtOnceAndRepaired() throws Exception {
		start(this.directory);
		Path lockFile = this.directory.resolve("app.lock");
		Files.delete(lockFile);
		await().atMost(Duration.ofSeconds(10)).until(() -> Files.isRegularFile(lockFile));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.lifecycle.getStatus().lastVerification() != null);
		// HEALED, or HELD from the verification that the re-created file triggered
		assertThat(this.lifecycle.getStatus().lastVerification().isHeld()).isTrue();
		assertThat(this.lifecycle.getStatus().isHealthy()).isTrue();
		assertThat(this.handled).isEmpty();
	}

	@Test
	void deletedLockDirectoryIsNoticedAtOnceAndRepaired() throws Exception {
		Path lockDirectory = this.directory.resolve("locks");
		start(lockDirectory);
		// as rm -rf would, again if the holder re-created its file in between
		await().atMost(Duration.ofSeconds(10)).until(() -> deleteTree(lockDirectory));
		await().atMost(Duration.ofSeconds(10)).until(() -> Files.isRegularFile(lockDirectory.resolve("app.lock")));
		// and the new directory is watched again
		Files.delete(lockDirectory.resolve("app.lock"));
		await().atMost(Duration.ofSeconds(10)).until(() -> Files.isRegularFile(lockDirectory.resolve("app.lock")));
		assertThat(this.handled).isEmpty();
	}

	private static boolean deleteTree(Path directory) throws IOException {
		try (var files = Files.list(directory)) {
			for (Path file : files.toList()) {
				Files.deleteIfExists(file);
			}
			Files.delete(directory);
			return true;
		}
		catch (DirectoryNotEmptyException ex) {
			return false;
		}
	}

}
