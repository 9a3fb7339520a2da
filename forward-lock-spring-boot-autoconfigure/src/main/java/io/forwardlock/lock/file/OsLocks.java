package io.forwardlock.lock.file;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Asks the kernel whether this process still holds its POSIX lock on a file, through
 * {@code /proc/locks} on Linux.
 * <p>
 * Java's {@code FileLock.isValid()} only knows what Java did. The kernel drops a
 * process's POSIX locks on a file as soon as any descriptor of that file is closed in
 * the process, for example by a library that merely read the file, or by
 * {@code Files.setLastModifiedTime}, which opens and closes the file on JDK 17. Only the
 * kernel's table tells whether the lock is still there.
 */
final class OsLocks {

	private static final Path PROC_LOCKS = Path.of("/proc/locks");

	private static final String PID = Long.toString(ProcessHandle.current().pid());

	private OsLocks() {
	}

	/**
	 * Whether this process holds a POSIX lock on the inode.
	 * @param inode the inode number
	 * @return {@code TRUE} or {@code FALSE}, or {@code null} when the kernel cannot be
	 * asked (no {@code /proc/locks}, unknown inode, or a lock type that does not record
	 * the owner)
	 */
	static Boolean heldByThisProcess(long inode) {
		if (inode < 0 || !Files.isReadable(PROC_LOCKS)) {
			return null;
		}
		String suffix = ":" + inode;
		boolean held = false;
		try (BufferedReader reader = Files.newBufferedReader(PROC_LOCKS)) {
			String line;
			while ((line = reader.readLine()) != null) {
				// "1: POSIX  ADVISORY  WRITE 4242 08:01:1234567 0 EOF"; waiters have "->"
				String[] words = line.trim().split("\\s+");
				if (words.length < 6 || words[1].equals("->") || !words[5].endsWith(suffix)) {
					continue;
				}
				if (!words[1].equals("POSIX")) {
					// open file description locks carry no PID: cannot tell
					return null;
				}
				held |= words[4].equals(PID);
			}
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
		return held;
	}

}
