package io.forwardlock.lock.file;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * How a {@link FileLockLease} weighs the kernel's evidence: a lock table that cannot be
 * trusted is "unknown", never "lost", and a lock file that names another process is a
 * loss unless the kernel confirms this process holds the lock.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLockLeaseEvidenceTests {

	private static final Path PROC_LOCKS = Path.of("/proc/locks");

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

	private LockLease acquire(OsLocks kernel) {
		return acquire(this.directory, kernel);
	}

	private LockLease acquire(Path directory, OsLocks kernel) {
		this.lease = new FileLockBackend(directory, kernel, System::nanoTime, LockAttempts::open)
			.tryAcquire(this.request)
			.orElseThrow();
		return this.lease;
	}

	private static OsLocks unreadable() {
		return new OsLocks(() -> {
			throw new IOException("no /proc/locks");
		}, (descriptor) -> {
			throw new IOException("no fdinfo");
		});
	}

	private static String ownLinesRemoved() throws IOException {
		String pid = " " + ProcessHandle.current().pid() + " ";
		return Files.readAllLines(PROC_LOCKS)
			.stream()
			.filter((line) -> !line.contains(pid))
			.collect(Collectors.joining("\n", "", "\n"));
	}

	private static void writeThroughHeldChannel(LockLease lease, String content) throws Exception {
		Field field = FileLockLease.class.getDeclaredField("locked");
		field.setAccessible(true);
		FileChannel channel = ((LockedFile) field.get(lease)).channel();
		channel.truncate(0);
		channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII)), 0);
	}

	@Test
	void lockTableThatMissesTheHoldersLineOnceIsNotALoss() throws Exception {
		assumeThat(Files.isReadable(PROC_LOCKS)).as("/proc/locks readable").isTrue();
		// a busy host: the table is read in chunks while other processes lock and
		// unlock, and the holder's own line is sometimes skipped
		AtomicInteger reads = new AtomicInteger();
		LockLease lease = acquire(new OsLocks(() -> (reads.getAndIncrement() == 0)
				? ownLinesRemoved().getBytes(StandardCharsets.ISO_8859_1) : Files.readAllBytes(PROC_LOCKS),
				(descriptor) -> {
					throw new NoSuchFileException("fdinfo hidden by the test");
				}));
		Verification verification = lease.verify();
		assertThat(reads).as("reads of the lock table").hasValueGreaterThan(1);
		assertThat(verification.status()).as(verification.detail()).isEqualTo(Verification.Status.HELD);
	}

	@Test
	void unreadableLockTableIsUnknownAndKeepsTheLock() {
		LockLease lease = acquire(unreadable());
		Verification verification = lease.verify();
		assertThat(verification.status()).as(verification.detail()).isEqualTo(Verification.Status.HELD);
	}

	@Test
	void changedPidIsALossWhenTheKernelCannotConfirmTheLock() throws Exception {
		LockLease lease = acquire(unreadable());
		// written in place, as a second holder that locked this inode would
		writeThroughHeldChannel(lease, "4242\n");
		Verification verification = lease.verify();
		assertThat(verification.status()).as(verification.detail()).isEqualTo(Verification.Status.LOST);
		assertThat(verification.detail()).contains("4242");
	}

	@Test
	void lockOfThisProcessOnTheSameInodeOfAnotherDeviceDoesNotConfirmTheLock() throws Exception {
		assumeThat(OsLocks.procPid()).as("/proc/self").isNotNull();
		AtomicLong inode = new AtomicLong(-1);
		// the table shows this process's lock on another file system's file with the
		// same inode number, and nothing on the lock file's own device
		LockLease lease = acquire(new OsLocks(
				() -> ("1: POSIX  ADVISORY  WRITE " + OsLocks.procPid() + " 99:99:" + inode.get() + " 0 EOF\n")
					.getBytes(StandardCharsets.US_ASCII),
				(descriptor) -> {
					throw new NoSuchFileException("fdinfo hidden by the test");
				}));
		inode.set((Long) Files.getAttribute(this.directory.resolve("app.lock"), "unix:ino"));
		writeThroughHeldChannel(lease, "4242\n");
		Verification verification = lease.verify();
		assertThat(verification.status()).as(verification.detail()).isEqualTo(Verification.Status.LOST);
	}

	@Test
	void changedPidConfirmedByTheKernelIsRewritten() throws Exception {
		assumeThat(Files.isReadable(PROC_LOCKS)).as("/proc/locks readable").isTrue();
		LockLease lease = acquire(OsLocks.PROC);
		// through the holder's own channel: opening the file again here would drop the
		// lock
		writeThroughHeldChannel(lease, "4242\n");
		Verification verification = lease.verify();
		assertThat(verification.status()).as(verification.detail()).isEqualTo(Verification.Status.HEALED);
		assertThat(verification.detail()).contains("kernel");
	}

	@Test
	void kernelViewGivenToOneBackendLeavesTheLeasesOfAnotherBackendAlone() throws Exception {
		assumeThat(Files.isReadable(PROC_LOCKS)).as("/proc/locks readable").isTrue();
		// consistent evidence that the lock is gone, for the first backend only
		byte[] otherLocksOnly = "1: POSIX  ADVISORY  WRITE 1 00:00:1 0 EOF\n".getBytes(StandardCharsets.US_ASCII);
		LockLease blind = acquire(Files.createDirectory(this.directory.resolve("blind")),
				new OsLocks(() -> otherLocksOnly, (descriptor) -> new byte[0]));
		try {
			LockLease seeing = acquire(Files.createDirectory(this.directory.resolve("seeing")), OsLocks.PROC);
			assertThat(blind.verify().status()).isEqualTo(Verification.Status.HEALED);
			Verification verification = seeing.verify();
			assertThat(verification.status()).as(verification.detail()).isEqualTo(Verification.Status.HELD);
		}
		finally {
			blind.release();
		}
	}

}
