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
	void holderThatHeartbeatedWithinItsStaleTimeoutCannotBeTakenOver() throws Exception {
		assertThat(mayBeTakenOverAfterHeldBy(HEARTBEAT, Duration.ZERO)).isFalse();
	}

	@Test
	void holderWithoutHeartbeatCannotBeTakenOverHoweverOldItsFile() throws Exception {
		assertThat(mayBeTakenOverAfterHeldBy(NO_HEARTBEAT, Duration.ofDays(2))).isFalse();
	}

	@Test
	void holderWhoseFileStayedUnchangedForItsStaleTimeoutMayBeTakenOver() throws Exception {
		assertThat(mayBeTakenOverAfterHeldBy(HEARTBEAT, Duration.ofMinutes(61))).isTrue();
	}

	@Test
	void holderWhoseFileChangedInTheFutureMayBeTakenOver() throws Exception {
		assertThat(mayBeTakenOverAfterHeldBy(HEARTBEAT, Duration.ofMinutes(-5))).isTrue();
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

	/**
	 * Whether a contender (without heartbeat of its own: the holder's declaration counts)
	 * may take over from a holder with the given settings whose lock file last changed
	 * {@code ago}.
	 */
	private boolean mayBeTakenOverAfterHeldBy(LockRequest holder, Duration ago) throws Exception {
		FileLockBackend backend = new FileLockBackend(this.directory);
		try (LockLease lease = backend.tryAcquire(holder).orElseThrow()) {
			setChanged(backend, ago);
			return backend.mayBeTakenOver(NO_HEARTBEAT);
		}
	}

	private static void setChanged(FileLockBackend backend, Duration ago) throws Exception {
		// Sets the time through the path, without opening the file this JVM holds
		Files.setLastModifiedTime(backend.lockFile(HEARTBEAT), FileTime.from(Instant.now().minus(ago)));
	}

}
