package io.forwardlock.lock.file;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
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

	/**
	 * A descriptor number that no test opens: its information comes from the test.
	 */
	private static final int NO_LOCK_LISTED = Integer.MAX_VALUE;

	@TempDir
	Path directory;

	@Test
	void seesOwnLockAndItsRelease() throws Exception {
		assumeThat(Files.isReadable(Path.of("/proc/locks"))).as("/proc/locks readable").isTrue();
		Path file = Files.writeString(this.directory.resolve("x.lock"), "1\n");
		long inode = (Long) Files.getAttribute(file, "unix:ino");
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
			assertThat(OsLocks.PROC.evidence(-1, -1, inode)).isEqualTo(Evidence.NOT_HELD);
			FileLock lock = channel.lock();
			assertThat(OsLocks.PROC.evidence(-1, -1, inode)).isEqualTo(Evidence.HELD);
			lock.release();
			assertThat(OsLocks.PROC.evidence(-1, -1, inode)).isEqualTo(Evidence.NOT_HELD);
		}
	}

	@Test
	void findsTheProcessLockAmongOtherFilesLocks() {
		String table = """
				1: FLOCK  ADVISORY  WRITE 900 fe:00:777 0 EOF
				2: POSIX  ADVISORY  WRITE 901 fe:00:4123 0 EOF
				3: POSIX  ADVISORY  WRITE 42 fe:00:123 0 EOF
				""";
		assertThat(OsLocks.heldIn(table, -1, 123, "42")).isEqualTo(Evidence.HELD);
		assertThat(OsLocks.heldIn(table, -1, 123, "901")).isEqualTo(Evidence.NOT_HELD);
		assertThat(OsLocks.heldIn(table, -1, 4123, "42")).isEqualTo(Evidence.NOT_HELD);
		assertThat(OsLocks.heldIn(table, -1, 55, "42")).isEqualTo(Evidence.NOT_HELD);
	}

	@Test
	void lockOnTheSameInodeOfAnotherDeviceIsNotTheFilesLock() {
		long device = 0xfe00;
		String otherDevice = "1: POSIX  ADVISORY  WRITE 42 08:01:123 0 EOF\n";
		assertThat(OsLocks.heldIn(otherDevice, device, 123, "42")).isEqualTo(Evidence.UNKNOWN);
		assertThat(OsLocks.heldIn(otherDevice + "2: POSIX  ADVISORY  WRITE 42 fe:00:123 0 EOF\n", device, 123, "42"))
			.isEqualTo(Evidence.HELD);
		assertThat(OsLocks.heldIn("1: POSIX  ADVISORY  WRITE 0 08:01:123 0 EOF\n", device, 123, "42"))
			.as("an owner-less lock on another device's inode")
			.isEqualTo(Evidence.NOT_HELD);
		assertThat(OsLocks.heldIn("1: POSIX  ADVISORY  WRITE 41 fe:00:123 0 EOF\n", device, 123, "42"))
			.isEqualTo(Evidence.NOT_HELD);
	}

	@Test
	void doesNotMistakeAWaiterForTheHolder() {
		String table = """
				3: POSIX  ADVISORY  WRITE 41 fe:00:123 0 EOF
				3: -> POSIX  ADVISORY  WRITE 42 fe:00:123 0 EOF""";
		assertThat(OsLocks.heldIn(table, -1, 123, "42")).isEqualTo(Evidence.NOT_HELD);
		assertThat(OsLocks.heldIn(table, -1, 123, "41")).isEqualTo(Evidence.HELD);
	}

	@Test
	void cannotTellWhenTheInodeHasALockWithoutOwner() {
		String table = "1: OFDLCK ADVISORY  WRITE -1 fe:00:123 0 EOF\n2: POSIX  ADVISORY  WRITE 42 fe:00:123 0 EOF\n";
		assertThat(OsLocks.heldIn(table, -1, 123, "42")).isEqualTo(Evidence.UNKNOWN);
	}

	@Test
	void descriptorThatListsNoLockIsNotHeldWhateverAnOwnerlessTableLineSays() {
		String table = "1: POSIX  ADVISORY  WRITE 0 fe:00:123 0 EOF\n";
		// the descriptor asked about lists no lock; the kernel's own entries (the
		// probe's)
		// show that this kernel lists locks there
		OsLocks kernel = new OsLocks(() -> table.getBytes(StandardCharsets.US_ASCII),
				(descriptor) -> (descriptor == NO_LOCK_LISTED)
						? "pos:\t0\nflags:\t02\n".getBytes(StandardCharsets.US_ASCII)
						: Descriptors.readInfo(descriptor));
		assumeThat(kernel.descriptorsListLocks()).as("this kernel lists locks in fdinfo").isTrue();
		assertThat(kernel.evidence(NO_LOCK_LISTED, -1, 123)).isEqualTo(Evidence.NOT_HELD);
	}

	@Test
	void kernelThatListsNoLocksInDescriptorInformationLeavesTheTableToDecide() {
		// a kernel older than 4.1: no descriptor's information lists a lock
		byte[] noLocks = "pos:\t0\nflags:\t02\n".getBytes(StandardCharsets.US_ASCII);
		String ownerless = "1: POSIX  ADVISORY  WRITE 0 fe:00:123 0 EOF\n";
		OsLocks old = new OsLocks(() -> ownerless.getBytes(StandardCharsets.US_ASCII), (descriptor) -> noLocks);
		assertThat(old.descriptorsListLocks()).isFalse();
		assertThat(old.evidence(NO_LOCK_LISTED, -1, 123)).isEqualTo(Evidence.UNKNOWN);
		String own = "1: POSIX  ADVISORY  WRITE " + OsLocks.procPid() + " fe:00:123 0 EOF\n";
		assumeThat(OsLocks.procPid()).isNotNull();
		OsLocks oldWithOwnLine = new OsLocks(() -> own.getBytes(StandardCharsets.US_ASCII), (descriptor) -> noLocks);
		assertThat(oldWithOwnLine.evidence(NO_LOCK_LISTED, -1, 123)).isEqualTo(Evidence.HELD);
	}

	@Test
	void unknownInodeCannotBeAsked() {
		assertThat(OsLocks.PROC.evidence(-1, -1, -1)).isEqualTo(Evidence.UNKNOWN);
		assertThat(OsLocks.PROC.descriptorEvidence(-1, 123)).isEqualTo(Evidence.UNKNOWN);
	}

}
