package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The release of a lease whose lock another process took (after this process's lock was
 * dropped by a descriptor closed in this JVM) must leave that process's lock file and
 * holder record alone: unlinking them lets a third instance in beside it. A third
 * acquisition proves it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLockLeaseReleaseAfterLossTests {

	@TempDir
	Path directory;

	private final LockRequest request = LockRequest.named("app").build();

	private LockLease lease;

	private OtherProcess second;

	private LockLease third;

	@BeforeEach
	void needAnotherProcess() {
		assumeThat(OtherProcess.available()).as("python3 plays the other process").isTrue();
	}

	@AfterEach
	void cleanUp() throws Exception {
		Thread.interrupted();
		if (this.third != null) {
			this.third.release();
		}
		if (this.second != null) {
			this.second.close();
		}
		if (this.lease != null) {
			this.lease.release();
		}
	}

	private static OsLocks unreadable() {
		return new OsLocks(() -> {
			throw new IOException("no /proc/locks");
		}, (descriptor) -> {
			throw new IOException("no fdinfo");
		});
	}

	private Path lockFile() {
		return this.directory.resolve("app.lock");
	}

	/**
	 * Acquire, drop the lock the documented way (read the lock file in this JVM), and let
	 * a second process lock the file and write the given PID.
	 */
	private void loseTheLockToASecondHolder(OsLocks kernel, long pidItWrites) throws Exception {
		this.lease = new FileLockBackend(this.directory, kernel, System::nanoTime, LockAttempts::open)
			.tryAcquire(this.request)
			.orElseThrow();
		Files.readAllBytes(lockFile());
		this.second = OtherProcess.holding(lockFile(), pidItWrites);
	}

	private void assertNoThirdHolderBesideTheSecond() {
		assertThat(lockFile()).as("the second holder's lock file").isRegularFile();
		Optional<LockLease> third = new FileLockBackend(this.directory).tryAcquire(this.request);
		this.third = third.orElse(null);
		assertThat(third).as("a third holder while the second holds the lock").isEmpty();
		assertThat(this.second.isAlive()).isTrue();
	}

	@Test
	void releaseOfALeaseFoundLostNeverCleansUp() throws Exception {
		loseToASecondHolderWithoutKernelEvidence();
		Verification verification = this.lease.verify();
		assertThat(verification.status()).as(verification.detail()).isEqualTo(Verification.Status.LOST);
		// the second holder, in another container with this process's PID, writes "its"
		// PID
		this.second.write(Long.toString(ProcessHandle.current().pid()));
		this.lease.release();
		assertNoThirdHolderBesideTheSecond();
	}

	@Test
	void releaseThatCannotAskTheKernelLeavesAFileWithAnotherHoldersPid() throws Exception {
		loseToASecondHolderWithoutKernelEvidence();
		this.lease.release();
		assertNoThirdHolderBesideTheSecond();
	}

	@Test
	void interruptedReleaseLeavesTheFileOfASecondHolderWithTheSamePid() throws Exception {
		assumeThat(Files.isReadable(Path.of("/proc/locks"))).as("/proc/locks readable").isTrue();
		// the second holder runs in another container, where its PID is this process's
		AtomicLong hidden = new AtomicLong(-1);
		loseTheLockToASecondHolder(KernelViews.withPidInAnotherNamespace(hidden::get), ProcessHandle.current().pid());
		hidden.set(this.second.pid());
		// a shutdown interrupts the thread that releases
		Thread.currentThread().interrupt();
		this.lease.release();
		assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
		assertNoThirdHolderBesideTheSecond();
	}

	private void loseToASecondHolderWithoutKernelEvidence() throws Exception {
		loseTheLockToASecondHolder(unreadable(), -1);
	}

}
