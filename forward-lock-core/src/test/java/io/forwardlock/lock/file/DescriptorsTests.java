package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Tests for {@link Descriptors}: which descriptor of this process an open channel is, and
 * what the kernel says about it through a handle kept open on {@code /proc/self/fdinfo/N}
 * ({@link DescriptorInfo}), which must show exactly what a file opened afresh would.
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

	@Test
	void readingAgainShowsTheDescriptorAsItIsNowNotAsItWasWhenFirstRead() throws Exception {
		Path file = Files.createFile(this.directory.resolve("app.lock"));
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
			int descriptor = descriptorOf(channel, file);
			assertThat(info(descriptor)).doesNotContain("lock:");
			channel.position(123456789);
			try (FileLock lock = channel.lock()) {
				String now = info(descriptor);
				assertThat(now).startsWith("pos:\t123456789\n").contains("lock:").contains(":" + inode(file) + " ");
				assertThat(now).isEqualTo(fresh(descriptor));
			}
			assertThat(info(descriptor)).doesNotContain("lock:");
		}
	}

	@Test
	void numberThatNoDescriptorHasFailsTheReadAndShowsTheNextFileThatGetsIt() throws Exception {
		Path first = Files.createFile(this.directory.resolve("first.lock"));
		Path second = Files.createFile(this.directory.resolve("second.lock"));
		// Another thread of this JVM (a test class that ran before, the build's own) may
		// open a file between our close and our open and take the freed number: then
		// the scenario is tried again, and only skipped if that happens every time
		boolean shown = false;
		for (int attempt = 0; attempt < 20 && !shown; attempt++) {
			shown = freedNumberFailsTheReadAndShowsTheNextFile(first, second);
		}
		assumeThat(shown).as("a freed descriptor number taken by this thread again within 20 attempts").isTrue();
	}

	/**
	 * Close a channel, read its number, and open the next files until one gets it.
	 * @return whether the scenario ran through; {@code false} when another thread took
	 * the freed number first
	 */
	private boolean freedNumberFailsTheReadAndShowsTheNextFile(Path first, Path second) throws IOException {
		int descriptor;
		try (FileChannel channel = FileChannel.open(first, StandardOpenOption.WRITE)) {
			descriptor = descriptorOf(channel, first);
			assertThat(info(descriptor)).contains("ino:\t" + inode(first) + "\n");
		}
		try {
			String taken = info(descriptor);
			// not ours: the number went to another thread's file at once
			assertThat(taken).doesNotContain("ino:\t" + inode(first) + "\n");
			return false;
		}
		catch (IOException expected) {
			// no descriptor has the number: the read fails, as the read of a fresh file
			// would
		}
		List<FileChannel> opened = new ArrayList<>();
		try {
			// Linux hands out the lowest free number: one of the next few files gets it
			for (int i = 0; i < 16 && !opened.stream().anyMatch((c) -> is(c, second, descriptor)); i++) {
				opened.add(FileChannel.open(second, StandardOpenOption.WRITE));
			}
			if (!opened.stream().anyMatch((c) -> is(c, second, descriptor))) {
				return false;
			}
			assertThat(info(descriptor)).contains("ino:\t" + inode(second) + "\n");
			return true;
		}
		finally {
			for (FileChannel channel : opened) {
				channel.close();
			}
		}
	}

	private static boolean is(FileChannel channel, Path file, int descriptor) {
		try {
			Descriptors.Identified identified = Descriptors.identify(channel, file.toRealPath(), -1);
			return identified != null && identified.descriptor() == descriptor;
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Test
	void interruptedReaderFailsAsWithAFreshFileAndTheNextReadWorks() throws Exception {
		Path file = Files.createFile(this.directory.resolve("app.lock"));
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
			int descriptor = descriptorOf(channel, file);
			info(descriptor);
			Thread.currentThread().interrupt();
			try {
				assertThatExceptionOfType(ClosedByInterruptException.class)
					.isThrownBy(() -> Descriptors.readInfo(descriptor));
			}
			finally {
				Thread.interrupted();
			}
			assertThat(info(descriptor)).contains("ino:\t" + inode(file) + "\n");
		}
	}

	@Test
	void handlesKeptOpenAreBounded() throws Exception {
		Path file = Files.createFile(this.directory.resolve("app.lock"));
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
			int descriptor = descriptorOf(channel, file);
			for (int i = 0; i < DescriptorInfo.MAX_HANDLES * 3; i++) {
				// standard input, output and error: numbers every process has
				Descriptors.readInfo(i % 3);
				info(descriptor);
			}
			// counted from outside: this process's descriptors open on fdinfo files
			assertThat(openInfoHandles()).isBetween(1L, (long) DescriptorInfo.MAX_HANDLES);
		}
	}

	private static int descriptorOf(FileChannel channel, Path file) throws IOException {
		Descriptors.Identified identified = Descriptors.identify(channel, file.toRealPath(), -1);
		assertThat(identified).isNotNull();
		return identified.descriptor();
	}

	private static String info(int descriptor) throws IOException {
		return new String(Descriptors.readInfo(descriptor), StandardCharsets.ISO_8859_1);
	}

	private static String fresh(int descriptor) throws IOException {
		return Files.readString(Path.of("/proc/self/fdinfo/" + descriptor), StandardCharsets.ISO_8859_1);
	}

	private static long openInfoHandles() throws IOException {
		try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
			return descriptors.filter((descriptor) -> {
				try {
					return Files.readSymbolicLink(descriptor).toString().contains("/fdinfo/");
				}
				catch (IOException ex) {
					return false;
				}
			}).count();
		}
	}

	private static long inode(Path path) throws IOException {
		return ((Number) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
	}

}
