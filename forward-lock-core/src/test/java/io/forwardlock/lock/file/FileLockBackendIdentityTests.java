package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
 * One lock file reachable under two names in one JVM (a bind mount here; a
 * case-insensitive file system does the same): the second name must be refused without
 * ever closing a descriptor of the held file, which would drop the holder's lock.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLockBackendIdentityTests {

	@TempDir
	Path directory;

	private Path first;

	private Path second;

	private boolean mounted;

	private LockLease lease;

	private final LockRequest request = LockRequest.named("app").build();

	@BeforeEach
	void bindMount() throws Exception {
		this.first = Files.createDirectory(this.directory.resolve("first"));
		this.second = Files.createDirectory(this.directory.resolve("second"));
		assumeThat(run("mount", "--bind", this.first.toString(), this.second.toString())).as("mount --bind works")
			.isTrue();
		this.mounted = true;
	}

	@AfterEach
	void unmount() throws Exception {
		try {
			if (this.lease != null) {
				this.lease.release();
			}
		}
		finally {
			// lazily, so that a descriptor still open under the mount cannot keep it
			if (this.mounted && !run("umount", this.second.toString())) {
				run("umount", "-l", this.second.toString());
			}
		}
	}

	private static boolean run(String... command) throws Exception {
		try {
			Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
			process.getInputStream().readAllBytes();
			return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private void assertKernelLockKept() throws IOException {
		long inode = (Long) Files.getAttribute(this.first.resolve("app.lock"), "unix:ino");
		assertThat(OsLocks.PROC.evidence(-1, -1, inode)).as("kernel lock of the holder")
			.isNotEqualTo(OsLocks.Evidence.NOT_HELD);
		assertThat(this.lease.verify().status()).isEqualTo(Verification.Status.HELD);
	}

	@Test
	void acquisitionUnderSecondNameIsRefusedAndKeepsTheHoldersLock() throws Exception {
		this.lease = new FileLockBackend(this.first).tryAcquire(this.request).orElseThrow();
		assertThat(new FileLockBackend(this.second).tryAcquire(this.request)).isEmpty();
		assertKernelLockKept();
	}

	@Test
	void inspectionUnderSecondNameNamesTheHolderAndKeepsItsLock() throws Exception {
		this.lease = new FileLockBackend(this.first).tryAcquire(this.request).orElseThrow();
		assertThat(new FileLockBackend(this.second).inspect(this.request)).contains(this.lease.holder());
		assertKernelLockKept();
	}

	@Test
	void waitingUnderSecondNameKeepsTheHoldersLockAndGetsItAfterRelease() throws Exception {
		this.lease = new FileLockBackend(this.first).tryAcquire(this.request).orElseThrow();
		Thread waiter = new Thread(() -> {
			try {
				new FileLockBackend(this.second).acquireBlocking(this.request, Duration.ofMillis(5)).release();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		waiter.setDaemon(true);
		waiter.start();
		try {
			for (int i = 0; i < 20; i++) {
				assertKernelLockKept();
			}
		}
		catch (AssertionError ex) {
			waiter.interrupt();
			throw ex;
		}
		this.lease.release();
		this.lease = null;
		waiter.join(TimeUnit.SECONDS.toMillis(30));
		assertThat(waiter.isAlive()).isFalse();
	}

}
