package io.forwardlock.lock.file;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Descriptors that this JVM opened on a file it holds (found out only after the open, and
 * parked in {@link HeldLocks} because closing them would drop the lock) are closed as
 * soon as that is safe, instead of staying open for the life of the JVM.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLockLeaseParkedDescriptorTests {

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

	private Path lockFile() {
		return this.directory.resolve("app.lock");
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
		this.lease = new FileLockBackend(this.directory).tryAcquire(this.request).orElseThrow();
		FileChannel parked = parkDescriptorOnHeldFile();
		this.lease.release();
		assertThat(parked.isOpen()).isFalse();
	}

	@Test
	void descriptorParkedOnAFileTheLeaseMovedOffIsClosed() throws Exception {
		this.lease = new FileLockBackend(this.directory).tryAcquire(this.request).orElseThrow();
		FileChannel parked = parkDescriptorOnHeldFile();
		// the old file is an orphan after the repair: nobody can lock it again
		Files.delete(lockFile());
		assertThat(this.lease.verify().status()).isEqualTo(Verification.Status.HEALED);
		assertThat(parked.isOpen()).isFalse();
		assertThat(this.lease.verify().status()).isEqualTo(Verification.Status.HELD);
	}

}
