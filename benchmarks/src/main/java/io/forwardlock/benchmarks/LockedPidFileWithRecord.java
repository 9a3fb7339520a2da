package io.forwardlock.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Control that leaves in the lock directory what forward-lock's file backend leaves, and
 * checks nothing: create the lock file exclusively, lock it as two regions, write the
 * PID, write a holder record of the same size to a temporary file and rename it into
 * place; on release remove both files while still locked, then unlock and close.
 * <p>
 * Its distance to Lucene is what those files cost; forward-lock's distance to it is what
 * the safety checks cost (the directory's owner and mode, which descriptor the channel
 * is, the path still naming the locked file, a takeover under way, the kernel still
 * listing the lock before anything is removed). Only the uncontended path is modelled.
 */
final class LockedPidFileWithRecord implements AutoCloseable {

	private static final Set<StandardOpenOption> CREATE_EXCLUSIVELY = EnumSet.of(StandardOpenOption.CREATE_NEW,
			StandardOpenOption.READ, StandardOpenOption.WRITE);

	private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY = PosixFilePermissions
		.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

	private static final byte[] PID = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);

	// about the size of forward-lock's holder record
	private static final byte[] RECORD = "x".repeat(320).getBytes(StandardCharsets.US_ASCII);

	private final Path path;

	private final Path record;

	private final FileChannel channel;

	private final FileLock head;

	private final FileLock tail;

	private LockedPidFileWithRecord(Path path, Path record, FileChannel channel, FileLock head, FileLock tail) {
		this.path = path;
		this.record = record;
		this.channel = channel;
		this.head = head;
		this.tail = tail;
	}

	static LockedPidFileWithRecord acquire(Path path) throws IOException {
		FileChannel channel = FileChannel.open(path, CREATE_EXCLUSIVELY, OWNER_ONLY);
		FileLock tail = channel.tryLock(1, Long.MAX_VALUE - 1, false);
		FileLock head = channel.tryLock(0, 1, false);
		if (tail == null || head == null) {
			channel.close();
			throw new IllegalStateException("Lock file " + path + " is locked by another process");
		}
		channel.write(ByteBuffer.wrap(PID), 0);
		Path record = path.resolveSibling(path.getFileName() + ".holder");
		Path temp = path.resolveSibling(path.getFileName() + ".holder." + System.nanoTime() + ".tmp");
		try (FileChannel out = FileChannel.open(temp,
				EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY)) {
			out.write(ByteBuffer.wrap(RECORD));
		}
		Files.move(temp, record, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		return new LockedPidFileWithRecord(path, record, channel, head, tail);
	}

	@Override
	public void close() throws IOException {
		this.record.toFile().delete();
		this.path.toFile().delete();
		this.head.release();
		this.tail.release();
		this.channel.close();
	}

}
