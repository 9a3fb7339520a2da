package io.forwardlock.lock.file;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Tests for {@link OsLocks}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OsLocksTests {

	@TempDir
	Path directory;

	@Test
	void seesOwnLockAndItsRelease() throws Exception {
		assumeThat(Files.isReadable(Path.of("/proc/locks"))).as("/proc/locks readable").isTrue();
		Path file = Files.writeString(this.directory.resolve("x.lock"), "1\n");
		long inode = (Long) Files.getAttribute(file, "unix:ino");
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
			assertThat(OsLocks.heldByThisProcess(inode)).isFalse();
			FileLock lock = channel.lock();
			assertThat(OsLocks.heldByThisProcess(inode)).isTrue();
			lock.release();
			assertThat(OsLocks.heldByThisProcess(inode)).isFalse();
		}
	}

	@Test
	void unknownInodeCannotBeAsked() {
		assertThat(OsLocks.heldByThisProcess(-1)).isNull();
	}

}
