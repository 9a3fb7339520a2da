package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringTokenizer;

/**
 * Asks the kernel whether this process still holds its POSIX lock on a file, through
 * {@code /proc/locks} on Linux.
 * <p>
 * Java's {@code FileLock.isValid()} only knows what Java did. The kernel drops a
 * process's POSIX locks on a file as soon as any descriptor of that file is closed in the
 * process, for example by a library that merely read the file, or by
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
		if (inode < 0) {
			return null;
		}
		String table;
		try {
			// one read of the whole table; a missing or unreadable file means "cannot
			// tell"
			table = new String(Files.readAllBytes(PROC_LOCKS), StandardCharsets.ISO_8859_1);
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
		return heldIn(table, inode, PID);
	}

	/**
	 * Whether a {@code /proc/locks} table shows a process holding a POSIX lock on the
	 * inode.
	 * @param table the table's text
	 * @param inode the inode number
	 * @param pid the process id, in decimal
	 * @return {@code TRUE} or {@code FALSE}, or {@code null} when a lock on the inode
	 * records no owner
	 */
	static Boolean heldIn(String table, long inode, String pid) {
		String marker = ":" + inode + " ";
		boolean held = false;
		int start = 0;
		while (start < table.length()) {
			int end = table.indexOf('\n', start);
			if (end < 0) {
				end = table.length();
			}
			// most lines are about other files: tokenize only the ones naming this inode
			int hit = table.indexOf(marker, start);
			if (hit < 0) {
				break;
			}
			if (hit < end) {
				Boolean line = heldOnLine(table.substring(start, end), marker, pid);
				if (line == null) {
					return null;
				}
				held |= line;
			}
			start = (hit < end) ? end + 1 : table.lastIndexOf('\n', hit) + 1;
		}
		return held;
	}

	/**
	 * Read one line of {@code /proc/locks} that mentions the inode.
	 * @return {@code TRUE} if it is this process's POSIX lock on the inode, {@code FALSE}
	 * if it is another lock or a waiter, {@code null} for a lock that records no owner
	 */
	private static Boolean heldOnLine(String line, String marker, String pid) {
		// "1: POSIX ADVISORY WRITE 4242 08:01:1234567 0 EOF"; waiters have "->"
		StringTokenizer words = new StringTokenizer(line);
		String[] first = new String[6];
		int count = 0;
		while (count < first.length && words.hasMoreTokens()) {
			first[count++] = words.nextToken();
		}
		if (count < 6 || first[1].equals("->") || !(first[5] + " ").endsWith(marker)) {
			return false;
		}
		if (!first[1].equals("POSIX")) {
			// open file description locks carry no PID: cannot tell
			return null;
		}
		return first[4].equals(pid);
	}

}
