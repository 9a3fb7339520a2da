package io.forwardlock.lock.file;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for the heartbeat of a {@link FileLockLease}: it proves the path still names the
 * held file before it writes, and verifies first after a pause seen on the monotonic
 * clock (injected here).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLockLeaseHeartbeatTests {

	@TempDir
	Path directory;

	private final LockRequest request = LockRequest.named("app")
		.heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(3))
		.build();

	private FileLockLease lease;

	@AfterEach
	void release() {
		if (this.lease != null) {
			this.lease.release();
		}
	}

	private FileLockLease acquire() {
		return acquire(new FileLockBackend(this.directory));
	}

	private FileLockLease acquire(FileLockBackend backend) {
		this.lease = (FileLockLease) backend.tryAcquire(this.request).orElseThrow();
		return this.lease;
	}

	@Test
	void heartbeatAfterTheFileWasReplacedReportsTheLossAtOnceAndWritesNothing() throws Exception {
		FileLockLease lease = acquire();
		Path lockFile = this.directory.resolve("app.lock");
		// what a takeover does: rename another (locked) file over the path
		Path replacement = Files.write(this.directory.resolve("replacement.tmp"), "99999\n".getBytes());
		Path orphan = this.directory.resolve("orphan");
		Files.createLink(orphan, lockFile);
		Files.move(replacement, lockFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		long orphanModified = Files.getLastModifiedTime(orphan).toMillis();
		try (FileChannel other = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
			assertThat(other.tryLock()).isNotNull();
			assertThatExceptionOfType(LockException.class).isThrownBy(lease::heartbeat)
				.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
		}
		assertThat(Files.readString(lockFile)).isEqualTo("99999\n");
		assertThat(Files.getLastModifiedTime(orphan).toMillis()).isEqualTo(orphanModified);
	}

	@Test
	void heartbeatAfterAPauseVerifiesBeforeAnythingElse() throws Exception {
		AtomicLong nanos = new AtomicLong();
		FileLockLease lease = acquire(
				new FileLockBackend(this.directory, OsLocks.PROC, nanos::get, LockAttempts::open));
		Path holderFile = this.directory.resolve("app.lock.holder");
		Files.delete(holderFile);
		nanos.addAndGet(Duration.ofMillis(1500).toNanos());
		lease.heartbeat();
		assertThat(holderFile).as("on time: no verification").doesNotExist();
		nanos.addAndGet(Duration.ofMillis(2001).toNanos());
		lease.heartbeat();
		assertThat(holderFile).as("after a pause: verified and repaired").exists();
	}

	@Test
	void heartbeatOfAHealthyLeaseRefreshesTheModificationTime() throws Exception {
		FileLockLease lease = acquire();
		Path lockFile = this.directory.resolve("app.lock");
		Files.setLastModifiedTime(lockFile, java.nio.file.attribute.FileTime.fromMillis(0));
		lease.heartbeat();
		assertThat(Files.getLastModifiedTime(lockFile).toMillis()).isPositive();
		assertThat(lease.verify().isHeld()).isTrue();
	}

}
