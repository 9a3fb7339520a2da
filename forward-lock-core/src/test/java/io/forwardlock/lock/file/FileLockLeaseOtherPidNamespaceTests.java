package io.forwardlock.lock.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * A second holder in another container (another PID namespace, so that
 * {@code /proc/locks} shows its PID as 0) with the same PID as this process (both JVMs
 * are PID 1, say) locks the lock file after this process's lock was dropped (a descriptor
 * of the file closed in this JVM). The descriptor's own information lists no lock: that
 * is a loss, whatever the ambiguous table line and the familiar PID in the file seem to
 * say.
 * <p>
 * The second holder is a process of this PID namespace; the table the backend reads is
 * the real {@code /proc/locks} with that process's PID shown as 0, as the kernel shows an
 * owner outside the reader's PID namespace.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLockLeaseOtherPidNamespaceTests {

	private static final Path PROC_LOCKS = Path.of("/proc/locks");

	@TempDir
	Path directory;

	private final AtomicLong hiddenPid = new AtomicLong(-1);

	private LockLease lease;

	private OtherProcess other;

	@BeforeEach
	void needKernelAndAnotherProcess() {
		assumeThat(Files.isReadable(PROC_LOCKS)).as("/proc/locks readable").isTrue();
		assumeThat(OtherProcess.available()).as("python3 plays the other process").isTrue();
	}

	@AfterEach
	void cleanUp() throws Exception {
		if (this.other != null) {
			this.other.close();
		}
		if (this.lease != null) {
			this.lease.release();
		}
	}

	private Path lockFile() {
		return this.directory.resolve("app.lock");
	}

	/**
	 * This JVM drops its own lock (the documented hazard), and the second holder locks
	 * the file and writes this process's PID, which is its own in its namespace.
	 */
	private void secondHolderWithTheSamePidTakesTheFile() throws Exception {
		this.lease = new FileLockBackend(this.directory, KernelViews.withPidInAnotherNamespace(this.hiddenPid::get),
				System::nanoTime, LockAttempts::open)
			.tryAcquire(LockRequest.named("app").build())
			.orElseThrow();
		Files.readAllBytes(lockFile());
		this.other = OtherProcess.holding(lockFile(), ProcessHandle.current().pid());
		this.hiddenPid.set(this.other.pid());
	}

	@Test
	void secondHolderWithTheSamePidInAnotherPidNamespaceIsALoss() throws Exception {
		secondHolderWithTheSamePidTakesTheFile();
		Verification verification = this.lease.verify();
		assertThat(verification.status()).as(verification.detail()).isEqualTo(Verification.Status.LOST);
		assertThatExceptionOfType(LockException.class).isThrownBy(this.lease::ensureHeld)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
		assertThat(this.other.isAlive()).isTrue();
	}

	@Test
	void ensureHeldFailsWhileASecondHolderWithTheSamePidHoldsTheFile() throws Exception {
		secondHolderWithTheSamePidTakesTheFile();
		assertThatExceptionOfType(LockException.class).isThrownBy(this.lease::ensureHeld)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
	}

}
