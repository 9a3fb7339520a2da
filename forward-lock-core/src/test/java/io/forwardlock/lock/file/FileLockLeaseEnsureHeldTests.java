package io.forwardlock.lock.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * {@link FileLockLease#ensureHeld()} refuses guarded work as soon as the lock path no
 * longer names the locked file, with or without a directory watch, and asks for a
 * verification, which decides.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLockLeaseEnsureHeldTests {

	@TempDir
	Path directory;

	private LockLease lease;

	@AfterEach
	void release() {
		if (this.lease != null) {
			this.lease.release();
		}
	}

	private Path lockFile() {
		return this.directory.resolve("app.lock");
	}

	@Test
	void deletedLockFileIsRefusedAtOnceUntilAVerificationReCreatesIt() throws Exception {
		this.lease = new FileLockBackend(this.directory).tryAcquire(LockRequest.named("app").build()).orElseThrow();
		AtomicInteger suspicions = new AtomicInteger();
		this.lease.onSuspectedLoss(suspicions::incrementAndGet);
		assertThatNoException().isThrownBy(this.lease::ensureHeld);
		int before = suspicions.get();
		Files.delete(lockFile());
		assertThatExceptionOfType(LockException.class).isThrownBy(this.lease::ensureHeld)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST))
			.withMessageContaining("deleted or replaced");
		assertThat(suspicions.get()).as("verifications asked for").isGreaterThan(before);
		assertThat(this.lease.verify().status()).isEqualTo(Verification.Status.HEALED);
		assertThatNoException().isThrownBy(this.lease::ensureHeld);
	}

	@Test
	void replacedLockFileIsRefusedAtOnce() throws Exception {
		this.lease = new FileLockBackend(this.directory).tryAcquire(LockRequest.named("app").build()).orElseThrow();
		Path other = Files.writeString(this.directory.resolve("other"), "4242\n");
		Files.move(other, lockFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		assertThatExceptionOfType(LockException.class).isThrownBy(this.lease::ensureHeld)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
	}

}
