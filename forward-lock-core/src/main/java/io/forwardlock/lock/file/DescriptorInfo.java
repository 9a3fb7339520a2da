package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads what the kernel says about a descriptor of this process
 * ({@code /proc/self/fdinfo/N}) with one system call. The file of a descriptor number is
 * kept open after its first read and read again from its start with a positional read:
 * procfs looks the number up in this process's descriptor table and renders its
 * information anew at every read, so an open handle always shows the descriptor that has
 * the number now, exactly as a file opened afresh would, and fails the read (no such
 * file) while no descriptor has it. Verifying a held lock then costs one {@code pread}
 * instead of an {@code open}, a {@code read} and a {@code close}.
 * <p>
 * At most {@value #MAX_HANDLES} handles stay open; a read that fails because nothing has
 * the number closes its handle. A handle closed under a reader (another reader was
 * interrupted, or the handles were trimmed) is opened again once.
 */
final class DescriptorInfo {

	/**
	 * Most handles kept open: more descriptor numbers than an application locks at once.
	 */
	static final int MAX_HANDLES = 64;

	/**
	 * First read: a lock file's information (its position, flags, mount, inode and two
	 * lock lines) takes about 200 bytes.
	 */
	private static final int FIRST_READ = 1024;

	/**
	 * Largest information read.
	 */
	private static final int MAX_INFO = 64 * 1024;

	private static final Map<Integer, FileChannel> HANDLES = new ConcurrentHashMap<>();

	private DescriptorInfo() {
	}

	/**
	 * Read the information of a descriptor of this process.
	 * @param descriptor the descriptor number
	 * @return the content, read in one piece
	 * @throws IOException on failure, also when no descriptor has the number
	 */
	static byte[] read(int descriptor) throws IOException {
		FileChannel handle = handle(descriptor);
		try {
			return readWhole(handle, descriptor);
		}
		catch (ClosedByInterruptException ex) {
			// this thread was interrupted: as a fresh file would, the read fails
			HANDLES.remove(descriptor, handle);
			throw ex;
		}
		catch (ClosedChannelException ex) {
			// closed under this reader by another one's interrupt, or trimmed
			HANDLES.remove(descriptor, handle);
			return readWhole(handle(descriptor), descriptor);
		}
		catch (IOException ex) {
			// no descriptor has the number now: let go of its handle
			if (HANDLES.remove(descriptor, handle)) {
				closeQuietly(handle);
			}
			throw ex;
		}
	}

	private static FileChannel handle(int descriptor) throws IOException {
		FileChannel handle = HANDLES.get(descriptor);
		if (handle != null) {
			if (handle.isOpen()) {
				return handle;
			}
			HANDLES.remove(descriptor, handle);
		}
		FileChannel opened = FileChannel.open(Path.of("/proc/self/fdinfo/" + descriptor), StandardOpenOption.READ);
		if (HANDLES.size() >= MAX_HANDLES) {
			trim();
		}
		FileChannel first = HANDLES.putIfAbsent(descriptor, opened);
		if (first != null) {
			// another reader stored one first: both show the same descriptor
			closeQuietly(opened);
			return first;
		}
		return opened;
	}

	/**
	 * Read the whole information from its start, in one read: a buffer that the kernel
	 * fills is too small, and the read is made again into a larger one, so that the
	 * content is one rendering and never two halves of different ones.
	 */
	private static byte[] readWhole(FileChannel handle, int descriptor) throws IOException {
		for (int size = FIRST_READ;; size *= 4) {
			ByteBuffer buffer = ByteBuffer.allocate(size);
			int read = handle.read(buffer, 0);
			if (read < size) {
				return Arrays.copyOf(buffer.array(), Math.max(read, 0));
			}
			if (size >= MAX_INFO) {
				throw new IOException("/proc/self/fdinfo/" + descriptor + " is longer than " + MAX_INFO + " bytes");
			}
		}
	}

	private static void trim() {
		for (Map.Entry<Integer, FileChannel> entry : HANDLES.entrySet()) {
			if (HANDLES.remove(entry.getKey(), entry.getValue())) {
				closeQuietly(entry.getValue());
			}
		}
	}

	private static void closeQuietly(FileChannel handle) {
		try {
			handle.close();
		}
		catch (IOException ex) {
			// a read-only file of procfs: nothing to flush
		}
	}

}
