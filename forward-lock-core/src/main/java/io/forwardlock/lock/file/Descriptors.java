package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.forwardlock.lock.file.LockFiles.FileFacts;
import org.jspecify.annotations.Nullable;

/**
 * Tells which descriptor of this process an open channel is, on Linux, so that the locked
 * file's identity is read through the descriptor itself ({@code stat} of
 * {@code /proc/self/fd/N} follows the descriptor to its inode, even after the path was
 * unlinked or replaced) and the kernel can be asked about that descriptor's locks
 * ({@code /proc/self/fdinfo/N}).
 * <p>
 * Java does not tell a channel's descriptor number. The proof used here: move the
 * channel's position to a value that no other descriptor of this process has (a random
 * offset above 2<sup>40</sup>), then read {@code /proc/self/fdinfo/N}, whose first line
 * is that descriptor's position. The number tried first is the one found last time for
 * the same path (Linux hands out the lowest free number, so a lock taken again usually
 * gets it back); when it is not the channel's, every entry of {@code /proc/self/fd} is
 * read, and only a single entry naming the lock file counts.
 */
final class Descriptors {

	private static final Path PROC_SELF_FD = Path.of("/proc/self/fd");

	// asked once: whether /proc is mounted does not change while the JVM runs
	private static final boolean AVAILABLE = Files.isDirectory(PROC_SELF_FD);

	private static final String DELETED_SUFFIX = " (deleted)";

	/**
	 * Lowest position marker: far beyond any lock file's size, and below the largest
	 * offset of every common Linux file system (ext4 allows 2<sup>44</sup>).
	 */
	private static final long MARKER_BASE = 1L << 40;

	private static final AtomicLong MARKERS = new AtomicLong(
			MARKER_BASE + ThreadLocalRandom.current().nextLong(1L << 41));

	/**
	 * The descriptor found last time, per path: a lock file and its takeover file are
	 * open at the same time and get neighbouring numbers, so one number for both would be
	 * wrong every time. Bounded: cleared when it holds more paths than any application
	 * locks.
	 */
	private static final Map<Path, Integer> LAST_FOUND = new ConcurrentHashMap<>();

	private static final int MAX_REMEMBERED = 256;

	private Descriptors() {
	}

	/**
	 * Whether descriptors can be told apart here ({@code /proc} is mounted).
	 * @return whether available
	 */
	static boolean available() {
		return AVAILABLE;
	}

	/**
	 * Identify the file behind an open channel through its descriptor.
	 * @param channel the channel, just opened on the lock file
	 * @param realPath the lock file's path with its directory resolved to the real path
	 * @param excluded a descriptor to ignore (an older channel on a file of the same name
	 * that was deleted under its holder), or {@code -1}
	 * @return the file's attributes and the descriptor number, or {@code null} where
	 * {@code /proc} is not available or the descriptor cannot be told
	 */
	static @Nullable Identified identify(FileChannel channel, Path realPath, int excluded) {
		if (!AVAILABLE) {
			return null;
		}
		int descriptor = byPosition(channel, realPath, excluded);
		if (descriptor < 0) {
			descriptor = byName(realPath, excluded);
		}
		if (descriptor < 0) {
			return null;
		}
		try {
			FileFacts facts = FileFacts.read(PROC_SELF_FD.resolve(Integer.toString(descriptor)));
			if (LAST_FOUND.size() >= MAX_REMEMBERED) {
				LAST_FOUND.clear();
			}
			LAST_FOUND.put(realPath, descriptor);
			return new Identified(facts, descriptor);
		}
		catch (IOException ex) {
			return null;
		}
	}

	private static int byPosition(FileChannel channel, Path realPath, int excluded) {
		int guess = LAST_FOUND.getOrDefault(realPath, -1);
		if (guess < 0 || guess == excluded) {
			return -1;
		}
		long marker = MARKERS.getAndIncrement();
		try {
			channel.position(marker);
			byte[] info = readInfo(guess);
			byte[] expected = ("pos:\t" + marker + "\n").getBytes(StandardCharsets.US_ASCII);
			return (info.length >= expected.length
					&& Arrays.equals(info, 0, expected.length, expected, 0, expected.length)) ? guess : -1;
		}
		catch (IOException ex) {
			// no such descriptor, or a file system that refuses the offset
			return -1;
		}
	}

	/**
	 * Find the only descriptor of this process that is open on the given path, other than
	 * a known one.
	 */
	private static int byName(Path realPath, int excluded) {
		String excludedName = Integer.toString(excluded);
		String target = realPath.toString();
		String found = null;
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC_SELF_FD)) {
			for (Path entry : entries) {
				String link;
				try {
					link = Files.readSymbolicLink(entry).toString();
				}
				catch (IOException ex) {
					continue;
				}
				String name = entry.getFileName().toString();
				if ((link.equals(target) || link.equals(target + DELETED_SUFFIX)) && !name.equals(excludedName)) {
					if (found != null) {
						return -1;
					}
					found = name;
				}
			}
		}
		catch (IOException ex) {
			return -1;
		}
		try {
			return (found != null) ? Integer.parseInt(found) : -1;
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	/**
	 * Read what the kernel says about a descriptor of this process
	 * ({@code /proc/self/fdinfo/N}), usually with one positional read of a handle kept
	 * open ({@link DescriptorInfo}).
	 * @param descriptor the descriptor number
	 * @return the content
	 * @throws IOException on failure, also when there is no such descriptor
	 */
	static byte[] readInfo(int descriptor) throws IOException {
		return DescriptorInfo.read(descriptor);
	}

	/**
	 * An open channel's file and descriptor number.
	 *
	 * @param facts the file's attributes, read through the descriptor
	 * @param descriptor the descriptor number
	 */
	record Identified(FileFacts facts, int descriptor) {

	}

}
