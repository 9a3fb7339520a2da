package io.forwardlock.lock.file;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * A full disk, simulated with a tiny tmpfs: a failed acquisition removes the lock file it
 * created, so that its leftover can neither confuse people nor evict a holder.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLockBackendFullDiskTests {

	@TempDir
	Path directory;

	private boolean mounted;

	@BeforeEach
	void mountTinyFileSystem() throws Exception {
		assumeThat(run("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", this.directory.toString()))
			.as("mount -t tmpfs works")
			.isTrue();
		this.mounted = true;
		try (OutputStream out = Files.newOutputStream(this.directory.resolve("filler"))) {
			byte[] block = new byte[4096];
			while (true) {
				out.write(block);
				out.flush();
			}
		}
		catch (IOException ex) {
			// full
		}
	}

	@AfterEach
	void unmount() throws Exception {
		if (this.mounted && !run("umount", this.directory.toString())) {
			run("umount", "-l", this.directory.toString());
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

	@Test
	void failedAcquisitionOnAFullDiskLeavesNoLockFile() {
		FileLockBackend backend = new FileLockBackend(this.directory);
		assertThatExceptionOfType(LockException.class)
			.isThrownBy(() -> backend.tryAcquire(LockRequest.named("app").build()))
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE));
		assertThat(this.directory.resolve("app.lock")).doesNotExist();
		assertThat(this.directory.resolve("app.lock.holder")).doesNotExist();
	}

}
