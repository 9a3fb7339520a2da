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
 * One lock file under two names in one JVM with the heartbeat on: the refused acquisition
 * under the second name goes on to look at the holder for a takeover, and that look must
 * never open (and close) a descriptor of the held file, which would drop the holder's
 * lock. A process outside this JVM proves that the kernel still keeps it out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLockBackendSecondNameHeartbeatTests {

	@TempDir
	Path directory;

	private Path second;

	private boolean mounted;

	private LockLease lease;

	@BeforeEach
	void needAnotherProcess() {
		assumeThat(OtherProcess.available()).as("python3 plays the other process").isTrue();
	}

	@AfterEach
	void cleanUp() throws Exception {
		try {
			if (this.lease != null) {
				this.lease.release();
			}
		}
		finally {
			if (this.mounted && !run("umount", this.second.toString())) {
				run("umount", "-l", this.second.toString());
			}
		}
	}

	private static LockRequest heartbeat(String name) {
		return LockRequest.named(name).heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(3)).build();
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

	private void assertHolderKeepsOthersOut(Path lockFile) throws Exception {
		assertThat(OtherProcess.canLock(lockFile)).as("another process can lock the holder's file").isFalse();
		Verification verification = this.lease.verify();
		assertThat(verification.status()).as(verification.detail()).isEqualTo(Verification.Status.HELD);
	}

	@Test
	void acquisitionUnderABindMountedSecondNameWithHeartbeatKeepsTheHoldersLock() throws Exception {
		Path first = Files.createDirectory(this.directory.resolve("first"));
		this.second = Files.createDirectory(this.directory.resolve("second"));
		assumeThat(run("mount", "--bind", first.toString(), this.second.toString())).as("mount --bind works").isTrue();
		this.mounted = true;
		this.lease = new FileLockBackend(first).tryAcquire(heartbeat("app")).orElseThrow();
		assertThat(new FileLockBackend(this.second).tryAcquire(heartbeat("app"))).as("under the second name").isEmpty();
		assertHolderKeepsOthersOut(first.resolve("app.lock"));
	}

	@Test
	void acquisitionUnderAHardLinkedSecondNameWithHeartbeatKeepsTheHoldersLock() throws Exception {
		this.lease = new FileLockBackend(this.directory).tryAcquire(heartbeat("app")).orElseThrow();
		Path lockFile = this.directory.resolve("app.lock");
		Files.createLink(this.directory.resolve("other.lock"), lockFile);
		assertThat(new FileLockBackend(this.directory).tryAcquire(heartbeat("other"))).as("under the second name")
			.isEmpty();
		assertThat(OtherProcess.canLock(lockFile)).as("another process can lock the holder's file").isFalse();
	}

	@Test
	void sightingOfAFileThisJvmHoldsKeepsTheHoldersLock() throws Exception {
		this.lease = new FileLockBackend(this.directory).tryAcquire(heartbeat("app")).orElseThrow();
		Path lockFile = this.directory.resolve("app.lock");
		Files.createLink(this.directory.resolve("other.lock"), lockFile);
		LockTarget other = new FileLockBackend(this.directory).target(heartbeat("other"), false);
		// what a contender records of a holder: it reads the PID in the lock file
		Takeover.Sighting sighting = Takeover.sight(other, LockFiles.lstat(other.path()));
		assertThat(sighting.fileKey()).isEqualTo(LockFiles.lstat(lockFile).fileKey());
		assertThat(OtherProcess.canLock(lockFile)).as("another process can lock the holder's file").isFalse();
	}

}
