package io.forwardlock.lock.file;

import java.util.StringTokenizer;

import org.jspecify.annotations.Nullable;

/**
 * One line of the kernel's lock listing, as {@code /proc/locks} and the {@code lock:}
 * lines of {@code /proc/self/fdinfo/N} show it:
 * {@code 1: POSIX  ADVISORY  WRITE 4242 08:01:1234567 0 EOF}. A process waiting for a
 * lock is listed under it with {@code ->} after the number.
 *
 * @param kind {@code POSIX}, {@code FLOCK} or {@code OFDLCK}
 * @param waiter whether the line is a waiter rather than a held lock
 * @param pid the owner's PID as the text shows it; {@code 0} when the owner is not
 * visible in the PID namespace of this {@code /proc}
 * @param file the file as {@code MAJOR:MINOR:INODE}
 */
record KernelLockLine(String kind, boolean waiter, String pid, String file) {

	/**
	 * Read a line.
	 * @param line the line, without its line feed
	 * @return the lock, or {@code null} when the line has fewer than six fields
	 */
	static @Nullable KernelLockLine parse(String line) {
		StringTokenizer words = new StringTokenizer(line);
		String[] first = new String[6];
		int count = 0;
		while (count < first.length && words.hasMoreTokens()) {
			first[count++] = words.nextToken();
		}
		if (count < first.length) {
			return null;
		}
		if (first[1].equals("->")) {
			return new KernelLockLine(first[2], true, first[5], nextOrEmpty(words));
		}
		return new KernelLockLine(first[1], false, first[4], first[5]);
	}

	private static String nextOrEmpty(StringTokenizer words) {
		return words.hasMoreTokens() ? words.nextToken() : "";
	}

	/**
	 * Whether this line is about the inode (on any device).
	 * @param inode the inode number
	 * @return whether it names the inode
	 */
	boolean names(long inode) {
		return this.file.endsWith(":" + inode);
	}

	/**
	 * Whether this line is about a file on the device, as {@code stat} gives its number
	 * ({@code st_dev}); the line shows it as hexadecimal {@code MAJOR:MINOR}.
	 * @param device the device number
	 * @return whether the line names that device
	 */
	boolean onDevice(long device) {
		int first = this.file.indexOf(':');
		int last = this.file.lastIndexOf(':');
		if (first <= 0 || last <= first) {
			return false;
		}
		try {
			return Long.parseLong(this.file.substring(0, first), 16) == major(device)
					&& Long.parseLong(this.file.substring(first + 1, last), 16) == minor(device);
		}
		catch (NumberFormatException ex) {
			return false;
		}
	}

	/**
	 * The major number of a device number, as glibc's {@code major()} splits it.
	 */
	static long major(long device) {
		return ((device >>> 8) & 0xfffL) | ((device >>> 32) & ~0xfffL);
	}

	/**
	 * The minor number of a device number, as glibc's {@code minor()} splits it.
	 */
	static long minor(long device) {
		return (device & 0xffL) | ((device >>> 12) & ~0xffL);
	}

	/**
	 * Whether the lock belongs to a process this {@code /proc} can name: a POSIX lock
	 * with a PID other than 0. Open file description locks carry no PID.
	 * @return whether the owner is known
	 */
	boolean ownerKnown() {
		return this.kind.equals("POSIX") && !this.pid.equals("0");
	}

}
