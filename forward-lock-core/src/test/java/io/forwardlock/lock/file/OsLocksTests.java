package io.forwardlock.lock.file;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import io.forwardlock.lock.file.OsLocks.Evidence;

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
			assertThat(OsLocks.PROC.evidence(-1, inode)).isEqualTo(Evidence.NOT_HELD);
			FileLock lock = channel.lock();
			assertThat(OsLocks.PROC.evidence(-1, inode)).isEqualTo(Evidence.HELD);
			lock.release();
			assertThat(OsLocks.PROC.evidence(-1, inode)).isEqualTo(Evidence.NOT_HELD);
		}
	}

	@Test
	void findsTheProcessLockAmongOtherFilesLocks() {
		String table = """
				1: FLOCK  ADVISORY  WRITE 900 fe:00:777 0 EOF
				2: POSIX  ADVISORY  WRITE 901 fe:00:4123 0 EOF
				3: POSIX  ADVISORY  WRITE 42 fe:00:123 0 EOF
				""";
		assertThat(OsLocks.heldIn(table, 123, "42")).isEqualTo(Evidence.HELD);
		assertThat(OsLocks.heldIn(table, 123, "901")).isEqualTo(Evidence.NOT_HELD);
		assertThat(OsLocks.heldIn(table, 4123, "42")).isEqualTo(Evidence.NOT_HELD);
		assertThat(OsLocks.heldIn(table, 55, "42")).isEqualTo(Evidence.NOT_HELD);
	}

	@Test
	void doesNotMistakeAWaiterForTheHolder() {
		String table = """
				3: POSIX  ADVISORY  WRITE 41 fe:00:123 0 EOF
				3: -> POSIX  ADVISORY  WRITE 42 fe:00:123 0 EOF""";
		assertThat(OsLocks.heldIn(table, 123, "42")).isEqualTo(Evidence.NOT_HELD);
		assertThat(OsLocks.heldIn(table, 123, "41")).isEqualTo(Evidence.HELD);
	}

	@Test
	void cannotTellWhenTheInodeHasALockWithoutOwner() {
		String table = "1: OFDLCK ADVISORY  WRITE -1 fe:00:123 0 EOF\n2: POSIX  ADVISORY  WRITE 42 fe:00:123 0 EOF\n";
		assertThat(OsLocks.heldIn(table, 123, "42")).isEqualTo(Evidence.UNKNOWN);
	}

	@Test
	void unknownInodeCannotBeAsked() {
		assertThat(OsLocks.PROC.evidence(-1, -1)).isEqualTo(Evidence.UNKNOWN);
		assertThat(OsLocks.PROC.descriptorEvidence(-1, 123)).isEqualTo(Evidence.UNKNOWN);
	}

}
