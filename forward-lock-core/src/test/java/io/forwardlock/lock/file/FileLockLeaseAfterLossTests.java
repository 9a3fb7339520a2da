package io.forwardlock.lock.file;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

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

/**
 * A lease that reported its lock lost stays lost: it never locks the path again, even
 * when the file that replaced its own is later unlocked (its new holder stopped) or
 * deleted. Whoever reacts to the loss may already have let a successor start.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLockLeaseAfterLossTests {

	@TempDir
	Path directory;

	private final LockRequest request = LockRequest.named("app").build();

	private LockLease lost;

	private LockLease successor;

	@AfterEach
	void release() {
		if (this.successor != null) {
			this.successor.release();
		}
		if (this.lost != null) {
			this.lost.release();
		}
	}

	private Path lockFile() {
		return this.directory.resolve("app.lock");
	}

	/**
	 * The holder's file is replaced by one that another lease holds, and the holder
	 * reports the loss.
	 */
	private void loseToAnotherHolder() throws Exception {
		this.lost = new FileLockBackend(this.directory).tryAcquire(this.request).orElseThrow();
		Path elsewhere = Files.createDirectory(this.directory.resolve("elsewhere"));
		this.successor = new FileLockBackend(elsewhere).tryAcquire(this.request).orElseThrow();
		Files.move(elsewhere.resolve("app.lock"), lockFile(), StandardCopyOption.ATOMIC_MOVE,
				StandardCopyOption.REPLACE_EXISTING);
		Verification verification = this.lost.verify();
		assertThat(verification.status()).as(verification.detail()).isEqualTo(Verification.Status.LOST);
	}

	@Test
	void lostLeaseNeverLocksTheReplacementAfterItsHolderStopped() throws Exception {
		loseToAnotherHolder();
		this.successor.release();
		this.successor = null;
		// the replacement is still at the path, and nobody locks it any more
		assertThat(lockFile()).isRegularFile();
		Verification verification = this.lost.verify();
		assertThat(verification.status()).as(verification.detail()).isEqualTo(Verification.Status.LOST);
		// this JVM holds no lock on the replacement: another process would get it
		try (FileChannel channel = FileChannel.open(lockFile(), StandardOpenOption.WRITE)) {
			assertThat(channel.tryLock()).as("a lock on the replacement").isNotNull();
		}
	}

	@Test
	void lostLeaseNeverRecreatesADeletedLockFile() throws Exception {
		loseToAnotherHolder();
		this.successor.release();
		this.successor = null;
		Files.deleteIfExists(lockFile());
		assertThat(this.lost.verify().status()).isEqualTo(Verification.Status.LOST);
		assertThat(lockFile()).doesNotExist();
	}

	@Test
	void lostLeaseFailsItsHeartbeatAndEnsureHeld() throws Exception {
		loseToAnotherHolder();
		this.successor.release();
		this.successor = null;
		assertThatExceptionOfType(LockException.class).isThrownBy(this.lost::heartbeat)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
		assertThatExceptionOfType(LockException.class).isThrownBy(this.lost::ensureHeld)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
	}

}
