package io.forwardlock.lock.file;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Tests for {@link Descriptors}: which descriptor of this process an open channel is.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DescriptorsTests {

	@TempDir
	Path directory;

	@BeforeEach
	void needsProc() {
		assumeThat(Descriptors.available()).as("/proc mounted").isTrue();
	}

	@Test
	void channelsOnTwoFilesOpenAtOnceAreEachToldApartAgainAndAgain() throws Exception {
		// as a lock file and its takeover file with the heartbeat on: open together,
		// neighbouring numbers, identified in turn
		Path lock = Files.createFile(this.directory.resolve("app.lock"));
		Path takeover = Files.createFile(this.directory.resolve("app.lock.takeover"));
		for (int i = 0; i < 3; i++) {
			try (FileChannel lockChannel = FileChannel.open(lock, StandardOpenOption.WRITE);
					FileChannel takeoverChannel = FileChannel.open(takeover, StandardOpenOption.WRITE)) {
				Descriptors.Identified first = Descriptors.identify(lockChannel, lock.toRealPath(), -1);
				Descriptors.Identified second = Descriptors.identify(takeoverChannel, takeover.toRealPath(), -1);
				assertThat(first).isNotNull();
				assertThat(second).isNotNull();
				assertThat(first.descriptor()).isNotEqualTo(second.descriptor());
				assertThat(first.facts().inode()).isEqualTo(inode(lock));
				assertThat(second.facts().inode()).isEqualTo(inode(takeover));
				assertThat(Descriptors.identify(lockChannel, lock.toRealPath(), -1)).isEqualTo(first);
			}
		}
	}

	@Test
	void numberFoundForAPathIsNotTakenForAnotherChannelOnIt() throws Exception {
		Path lock = Files.createFile(this.directory.resolve("app.lock"));
		try (FileChannel older = FileChannel.open(lock, StandardOpenOption.WRITE)) {
			Descriptors.Identified found = Descriptors.identify(older, lock.toRealPath(), -1);
			assertThat(found).isNotNull();
			try (FileChannel newer = FileChannel.open(lock, StandardOpenOption.WRITE)) {
				// the remembered number is the older channel's: its position proves it
				// is not this one, and the older one is excluded from the search
				Descriptors.Identified other = Descriptors.identify(newer, lock.toRealPath(), found.descriptor());
				assertThat(other).isNotNull();
				assertThat(other.descriptor()).isNotEqualTo(found.descriptor());
			}
		}
	}

	private static long inode(Path path) throws Exception {
		return ((Number) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
	}

}
