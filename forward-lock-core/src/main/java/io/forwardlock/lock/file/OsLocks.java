package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.jspecify.annotations.Nullable;

/**
 * Asks the kernel whether this process still holds its POSIX lock on a file, on Linux.
 * <p>
 * Java's {@code FileLock.isValid()} only knows what Java did. The kernel drops a
 * process's POSIX locks on a file as soon as any descriptor of that file is closed in the
 * process, for example by a library that merely read the file, or by
 * {@code Files.setLastModifiedTime}, which opens and closes the file on JDK 17. Only the
 * kernel tells whether the lock is still there.
 * <p>
 * <b>Which evidence counts.</b> The first witness is {@code /proc/self/fdinfo/N} of the
 * descriptor that holds the lock: the kernel lists that file's locks of this process
 * under the file's own lock, so it is a consistent snapshot, and it needs no PID. The
 * second is {@code /proc/locks}, which is read in chunks and is not a snapshot: while
 * other processes take and drop locks, a line is sometimes skipped. Its PIDs are those of
 * the PID namespace that mounted {@code /proc}, so this process is looked up by
 * {@code /proc/self}, never by {@code getpid()}. An owner shown as PID 0 is outside that
 * namespace, and may be another container's process with this process's very PID.
 * <p>
 * <b>The descriptor's own information decides</b> wherever it can: when it lists no lock
 * of this process on the file, the answer is {@link Evidence#NOT_HELD} whatever the table
 * says, so that an ambiguous line can never keep a lock "held" that another container
 * took. The table is asked only when the descriptor is unknown or its information cannot
 * be read, or on a kernel too old to list locks there (found out once, see
 * {@link #descriptorsListLocks()}). From the table, the answer is
 * {@link Evidence#NOT_HELD} only when every read agrees; a missing, unreadable or
 * ambiguous table is {@link Evidence#UNKNOWN}, which callers must treat as "still held".
 * <p>
 * An instance is one view of the kernel, given to a {@link FileLockBackend} when it is
 * built and passed on to its leases: {@link #PROC} reads {@code /proc}; another view (a
 * busy, foreign or missing table) lives only as long as the backend it was given to.
 */
final class OsLocks {

	private static final Path PROC_LOCKS = Path.of("/proc/locks");

	private static final Path PROC_SELF = Path.of("/proc/self");

	/**
	 * Reads of {@code /proc/locks} that must all miss the lock before it counts as gone.
	 */
	static final int TABLE_READS = 3;

	/**
	 * The real kernel's view, through {@code /proc}.
	 */
	static final OsLocks PROC = new OsLocks(() -> Files.readAllBytes(PROC_LOCKS), Descriptors::readInfo);

	private final TableSource locks;

	private final DescriptorSource descriptors;

	// whether fdinfo lists locks on this kernel; null until known
	private volatile @Nullable Boolean descriptorsListLocks;

	/**
	 * Create a view of the kernel's locks.
	 * @param locks reads the whole lock table ({@code /proc/locks})
	 * @param descriptors reads the information on one descriptor of this process
	 * ({@code /proc/self/fdinfo/N})
	 */
	OsLocks(TableSource locks, DescriptorSource descriptors) {
		this.locks = locks;
		this.descriptors = descriptors;
	}

	/**
	 * What the kernel says about this process's lock on the file behind a descriptor.
	 * @param descriptor the descriptor number that holds the lock, or {@code -1} if
	 * unknown
	 * @param device the file's device number ({@code st_dev}), or {@code -1} if unknown:
	 * then a line of the table on any device with the inode counts
	 * @param inode the file's inode number, or {@code -1} if unknown
	 * @return the evidence
	 */
	Evidence evidence(int descriptor, long device, long inode) {
		if (inode < 0) {
			return Evidence.UNKNOWN;
		}
		if (descriptor >= 0) {
			Evidence fromDescriptor = fromDescriptor(descriptor, inode);
			if (fromDescriptor == Evidence.HELD) {
				return Evidence.HELD;
			}
			if (fromDescriptor == Evidence.NOT_HELD && descriptorsListLocks()) {
				// a consistent snapshot of this process's locks through the descriptor:
				// no line of the table (an owner shown as PID 0 may be another
				// container's process with this very PID) makes the lock held again
				return Evidence.NOT_HELD;
			}
			// unreadable, or a kernel too old to list locks in fdinfo: ask the table
		}
		return fromTable(device, inode);
	}

	/**
	 * What the descriptor's own information says about this process's lock on the file
	 * behind it: a few system calls, never the whole lock table.
	 * @param descriptor the descriptor number that holds the lock, or {@code -1} if
	 * unknown
	 * @param inode the file's inode number, or {@code -1} if unknown
	 * @return {@code HELD} when listed, {@code NOT_HELD} when not (also on a kernel too
	 * old to list locks there), {@code UNKNOWN} when it cannot be read
	 */
	Evidence descriptorEvidence(int descriptor, long inode) {
		if (inode < 0 || descriptor < 0) {
			return Evidence.UNKNOWN;
		}
		return fromDescriptor(descriptor, inode);
	}

	private Evidence fromDescriptor(int descriptor, long inode) {
		String info;
		try {
			info = new String(this.descriptors.read(descriptor), StandardCharsets.ISO_8859_1);
		}
		catch (IOException | RuntimeException ex) {
			return Evidence.UNKNOWN;
		}
		boolean listed = false;
		for (String line : info.split("\n")) {
			if (line.startsWith("lock:")) {
				listed = true;
				if (heldOnLine(line.substring(5), inode, null) == Evidence.HELD) {
					learnDescriptorsListLocks();
					return Evidence.HELD;
				}
			}
		}
		if (listed) {
			learnDescriptorsListLocks();
		}
		return Evidence.NOT_HELD;
	}

	private void learnDescriptorsListLocks() {
		// read before writing: every verification and release passes here, and a
		// volatile write each time would cost more than the read
		if (!Boolean.TRUE.equals(this.descriptorsListLocks)) {
			this.descriptorsListLocks = Boolean.TRUE;
		}
	}

	/**
	 * Whether this kernel lists a descriptor's locks in {@code /proc/self/fdinfo/N}
	 * (Linux 4.1 and later; older kernels list none there). Learned from any descriptor
	 * information that lists a lock; otherwise found out once by locking a new temporary
	 * file and reading its descriptor's information through this view.
	 * @return whether an entry that lists no lock means that there is none; {@code false}
	 * also when that cannot be found out
	 */
	boolean descriptorsListLocks() {
		Boolean known = this.descriptorsListLocks;
		if (known == null) {
			known = probeDescriptorsListLocks(this.descriptors);
			if (known != null) {
				this.descriptorsListLocks = known;
			}
		}
		return Boolean.TRUE.equals(known);
	}

	/**
	 * Lock a new temporary file and read its descriptor's information. Closing that
	 * file's descriptor drops no lock but the probe's own.
	 * @return whether the information lists the lock, or {@code null} when the probe
	 * could not run
	 */
	private static @Nullable Boolean probeDescriptorsListLocks(DescriptorSource descriptors) {
		if (!Descriptors.available()) {
			return null;
		}
		Path probe;
		try {
			probe = Files.createTempFile("forward-lock-probe", ".lock");
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
		try {
			try (FileChannel channel = FileChannel.open(probe, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
				if (channel.tryLock() == null) {
					return null;
				}
				Descriptors.Identified identified = Descriptors.identify(channel, probe.toRealPath(), -1);
				if (identified == null) {
					return null;
				}
				String info = new String(descriptors.read(identified.descriptor()), StandardCharsets.ISO_8859_1);
				return info.startsWith("lock:") || info.contains("\nlock:");
			}
			finally {
				Files.deleteIfExists(probe);
			}
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	private Evidence fromTable(long device, long inode) {
		String pid = procPid();
		if (pid == null) {
			return Evidence.UNKNOWN;
		}
		for (int i = 0; i < TABLE_READS; i++) {
			String table;
			try {
				table = new String(this.locks.read(), StandardCharsets.ISO_8859_1);
			}
			catch (IOException | RuntimeException ex) {
				return Evidence.UNKNOWN;
			}
			if (table.isEmpty() || table.charAt(table.length() - 1) != '\n') {
				// a table always ends with a line feed, and this process holds at
				// least one lock: anything else is a partial read
				return Evidence.UNKNOWN;
			}
			Evidence held = heldIn(table, device, inode, pid);
			if (held != Evidence.NOT_HELD) {
				return held;
			}
		}
		return Evidence.NOT_HELD;
	}

	/**
	 * This process's id as {@code /proc} shows it, which differs from {@code getpid()} in
	 * a PID namespace that did not mount its own {@code /proc}.
	 * @return the PID, or {@code null} when {@code /proc/self} cannot be resolved
	 */
	static @Nullable String procPid() {
		try {
			String pid = Files.readSymbolicLink(PROC_SELF).toString();
			return (!pid.isEmpty() && pid.chars().allMatch(Character::isDigit)) ? pid : null;
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	/**
	 * Whether a {@code /proc/locks} table shows a process holding a POSIX lock on the
	 * file with the device and inode. A lock of the process on the same inode number of
	 * another device is not this file's; where {@code stat} and the kernel's table number
	 * one file system differently (btrfs subvolumes, some overlay set-ups) it may be, so
	 * it makes the answer {@code UNKNOWN} rather than {@code HELD}.
	 * @param table the table's text
	 * @param device the device number ({@code st_dev}), or {@code -1} for any device
	 * @param inode the inode number
	 * @param pid the process id, in decimal
	 * @return {@code HELD} or {@code NOT_HELD}, or {@code UNKNOWN} when a lock on the
	 * file records no owner, or only the process's lock on another device has the inode
	 */
	static Evidence heldIn(String table, long device, long inode, String pid) {
		String marker = ":" + inode + " ";
		boolean held = false;
		boolean otherDevice = false;
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
				KernelLockLine lock = KernelLockLine.parse(table.substring(start, end));
				if (lock != null && !lock.waiter() && lock.names(inode)) {
					boolean sameDevice = device < 0 || lock.onDevice(device);
					if (!lock.ownerKnown()) {
						if (sameDevice) {
							// an open file description lock, or an owner that is not
							// visible in the PID namespace of this /proc: cannot tell
							return Evidence.UNKNOWN;
						}
					}
					else if (lock.pid().equals(pid)) {
						held |= sameDevice;
						otherDevice |= !sameDevice;
					}
				}
			}
			start = (hit < end) ? end + 1 : table.lastIndexOf('\n', hit) + 1;
		}
		if (held) {
			return Evidence.HELD;
		}
		return otherDevice ? Evidence.UNKNOWN : Evidence.NOT_HELD;
	}

	/**
	 * Read one line of {@code /proc/locks} that mentions the inode.
	 * @param pid the PID to look for, or {@code null} for any owner (fdinfo lists only
	 * this process's locks)
	 * @return {@code HELD} if it is this process's POSIX lock on the inode,
	 * {@code NOT_HELD} if it is another lock or a waiter, {@code UNKNOWN} for a lock that
	 * records no owner
	 */
	private static Evidence heldOnLine(String line, long inode, @Nullable String pid) {
		KernelLockLine lock = KernelLockLine.parse(line);
		if (lock == null || lock.waiter() || !lock.names(inode)) {
			return Evidence.NOT_HELD;
		}
		if (!lock.ownerKnown()) {
			// an open file description lock, or an owner that is not visible in the PID
			// namespace of this /proc: cannot tell
			return Evidence.UNKNOWN;
		}
		return (pid == null || lock.pid().equals(pid)) ? Evidence.HELD : Evidence.NOT_HELD;
	}

	/**
	 * What the kernel says about a lock.
	 */
	enum Evidence {

		/**
		 * The kernel shows this process's lock.
		 */
		HELD,

		/**
		 * Every consistent read shows no lock of this process.
		 */
		NOT_HELD,

		/**
		 * The kernel cannot be asked, or its answer cannot be trusted: treat as held.
		 */
		UNKNOWN

	}

	/**
	 * Reads the information on one descriptor of this process.
	 */
	@FunctionalInterface
	interface DescriptorSource {

		byte[] read(int descriptor) throws IOException;

	}

	/**
	 * Reads the kernel's lock table.
	 */
	@FunctionalInterface
	interface TableSource {

		byte[] read() throws IOException;

	}

}
