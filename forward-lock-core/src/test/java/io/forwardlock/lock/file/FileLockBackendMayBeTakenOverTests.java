package io.forwardlock.lock.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link FileLockBackend#mayBeTakenOver(LockRequest)}, the answer without
 * watching that lets an early probe refuse only a holder that cannot be taken over.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLockBackendMayBeTakenOverTests {

	private static final LockRequest HEARTBEAT = LockRequest.named("app")
		.heartbeat(Duration.ofMinutes(30), Duration.ofHours(1))
		.build();

	private static final LockRequest NO_HEARTBEAT = LockRequest.named("app").build();

	@TempDir
	Path directory;

	@Test
	void freeLockCannotBeTakenOver() {
		FileLockBackend backend = new FileLockBackend(this.directory);
		assertThat(backend.mayBeTakenOver(HEARTBEAT)).isFalse();
	}

	@Test
	void holderThatHeartbeatedWithinItsStaleTimeoutCannotBeTakenOver() {
		FileLockBackend backend = new FileLockBackend(this.directory);
		try (LockLease lease = backend.tryAcquire(HEARTBEAT).orElseThrow()) {
			assertThat(backend.mayBeTakenOver(HEARTBEAT)).isFalse();
		}
	}

	@Test
	void holderWithoutHeartbeatCannotBeTakenOverHoweverOldItsFile() throws Exception {
		FileLockBackend backend = new FileLockBackend(this.directory);
		try (LockLease lease = backend.tryAcquire(NO_HEARTBEAT).orElseThrow()) {
			setChanged(backend, Duration.ofDays(2));
			assertThat(backend.mayBeTakenOver(HEARTBEAT)).isFalse();
		}
	}

	@Test
	void holderWhoseFileStayedUnchangedForItsStaleTimeoutMayBeTakenOver() throws Exception {
		FileLockBackend backend = new FileLockBackend(this.directory);
		try (LockLease lease = backend.tryAcquire(HEARTBEAT).orElseThrow()) {
			setChanged(backend, Duration.ofMinutes(61));
			assertThat(backend.mayBeTakenOver(NO_HEARTBEAT)).isTrue();
		}
	}

	@Test
	void holderWhoseFileChangedInTheFutureMayBeTakenOver() throws Exception {
		FileLockBackend backend = new FileLockBackend(this.directory);
		try (LockLease lease = backend.tryAcquire(HEARTBEAT).orElseThrow()) {
			setChanged(backend, Duration.ofMinutes(-5));
			assertThat(backend.mayBeTakenOver(HEARTBEAT)).isTrue();
		}
	}

	@Test
	void lockFileWithoutHolderRecordCannotBeTakenOver() throws Exception {
		FileLockBackend backend = new FileLockBackend(this.directory);
		try (LockLease lease = backend.tryAcquire(HEARTBEAT).orElseThrow()) {
			Files.delete(backend.holderFile(HEARTBEAT));
			setChanged(backend, Duration.ofDays(2));
			assertThat(backend.mayBeTakenOver(HEARTBEAT)).isFalse();
		}
	}

	private static void setChanged(FileLockBackend backend, Duration ago) throws Exception {
		// Sets the time through the path, without opening the file this JVM holds
		Files.setLastModifiedTime(backend.lockFile(HEARTBEAT), FileTime.from(Instant.now().minus(ago)));
	}

}
