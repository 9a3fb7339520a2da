package io.forwardlock.lock.file;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
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
 * Tests for {@link FileLockLease}: {@link FileLockLease#ensureHeld()}, the cheap check
 * that guarded work makes right before a side effect, and the descriptors that this JVM
 * opened on a file it holds (found out only after the open, and parked in
 * {@link HeldLocks} because closing them would drop the lock), which are closed as soon
 * as that is safe instead of staying open for the life of the JVM.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLockLeaseTests {

	@TempDir
	Path directory;

	private final LockRequest request = LockRequest.named("app").build();

	private LockLease lease;

	@AfterEach
	void release() {
		if (this.lease != null) {
			this.lease.release();
		}
	}

	private LockLease acquire() {
		this.lease = new FileLockBackend(this.directory).tryAcquire(this.request).orElseThrow();
		return this.lease;
	}

	private Path lockFile() {
		return this.directory.resolve("app.lock");
	}

	@Test
	void ensureHeldPassesWhileTheLockIsHeld() {
		LockLease lease = acquire();
		for (int i = 0; i < 3; i++) {
			assertThatNoException().isThrownBy(lease::ensureHeld);
		}
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
	}

	@Test
	void ensureHeldFailsOnceTheLockFileIsDeleted() throws Exception {
		LockLease lease = acquire();
		Files.delete(lockFile());
		assertThatExceptionOfType(LockException.class).isThrownBy(lease::ensureHeld)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST))
			.withMessageContaining("deleted");
	}

	@Test
	void ensureHeldFailsOnceTheLockFileIsReplaced() throws Exception {
		LockLease lease = acquire();
		Path replacement = Files.write(this.directory.resolve("replacement.tmp"), "99999\n".getBytes());
		Files.move(replacement, lockFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		assertThatExceptionOfType(LockException.class).isThrownBy(lease::ensureHeld)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST))
			.withMessageContaining("replaced");
	}

	@Test
	void ensureHeldAsksForAVerificationWhenTheLockFileIsDeleted() throws Exception {
		LockLease lease = acquire();
		AtomicInteger suspicions = new AtomicInteger();
		lease.onSuspectedLoss(suspicions::incrementAndGet);
		Files.delete(lockFile());
		assertThatExceptionOfType(LockException.class).isThrownBy(lease::ensureHeld);
		assertThat(suspicions).hasPositiveValue();
		// nobody else took the lock: the verification re-creates the file
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HEALED);
		assertThatNoException().isThrownBy(lease::ensureHeld);
	}

	@Test
	void ensureHeldKeepsFailingOnceAVerificationFoundTheLockLost() throws Exception {
		LockLease lease = acquire();
		// another holder's file renamed over the path; its lock is held here through
		// another channel, as another process would hold it
		Path replacement = Files.write(this.directory.resolve("replacement.tmp"), "99999\n".getBytes());
		try (FileChannel other = FileChannel.open(replacement, StandardOpenOption.READ, StandardOpenOption.WRITE);
				FileLock otherLock = other.lock()) {
			Files.move(replacement, lockFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			assertThat(lease.verify().status()).isEqualTo(Verification.Status.LOST);
		}
		assertThatExceptionOfType(LockException.class).isThrownBy(lease::ensureHeld)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
	}

	@Test
	void ensureHeldFailsAfterRelease() {
		LockLease lease = acquire();
		lease.release();
		assertThatExceptionOfType(LockException.class).isThrownBy(lease::ensureHeld).withMessageContaining("released");
	}

	@Test
	void ensureHeldAfterTheKernelDroppedTheLockLetsAVerificationLockItAgain() throws Exception {
		LockLease lease = acquire();
		// what the holder must never do: open and close its own lock file, which drops
		// the kernel lock
		Files.readString(lockFile());
		// nobody else took it: the thorough check behind ensureHeld locks it again
		assertThatNoException().isThrownBy(lease::ensureHeld);
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
	}

	/**
	 * Park a descriptor on the held file, as an acquisition or inspection under a second
	 * name (a bind mount) does when it finds out after opening that this JVM holds it.
	 */
	private FileChannel parkDescriptorOnHeldFile() throws Exception {
		Object fileKey = Files.readAttributes(lockFile(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
			.fileKey();
		FileChannel parked = FileChannel.open(lockFile(), StandardOpenOption.READ);
		HeldLocks.park(fileKey, parked);
		return parked;
	}

	@Test
	void descriptorParkedOnTheHeldFileIsClosedByTheRelease() throws Exception {
		acquire();
		FileChannel parked = parkDescriptorOnHeldFile();
		this.lease.release();
		assertThat(parked.isOpen()).isFalse();
	}

	@Test
	void descriptorParkedOnAFileTheLeaseMovedOffIsClosed() throws Exception {
		acquire();
		FileChannel parked = parkDescriptorOnHeldFile();
		// the old file is an orphan after the repair: nobody can lock it again
		Files.delete(lockFile());
		assertThat(this.lease.verify().status()).isEqualTo(Verification.Status.HEALED);
		assertThat(parked.isOpen()).isFalse();
		assertThat(this.lease.verify().status()).isEqualTo(Verification.Status.HELD);
	}

}
