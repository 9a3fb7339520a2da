package io.forwardlock.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Baseline that does what a plain PID lock file does on the happy path, so that the
 * benchmark compares algorithms rather than languages: look for an existing file, create
 * the file exclusively ({@code O_CREAT|O_EXCL}, mode 0600), write the PID, {@code fsync},
 * and on release close and delete it.
 * <p>
 * Only the uncontended path is modelled; stale-file handling never runs in the benchmark
 * because the file is always deleted on release.
 */
final class SeedPidFileLock implements AutoCloseable {

	private static final Set<StandardOpenOption> CREATE_EXCLUSIVELY = EnumSet.of(StandardOpenOption.CREATE_NEW,
			StandardOpenOption.WRITE);

	private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY = PosixFilePermissions
		.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

	private static final byte[] PID = Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII);

	private final Path path;

	private final FileChannel channel;

	private SeedPidFileLock(Path path, FileChannel channel) {
		this.path = path;
		this.channel = channel;
	}

	static SeedPidFileLock acquire(Path path) throws IOException {
		if (Files.exists(path)) {
			throw new IllegalStateException("Lock file " + path + " exists: the previous release did not delete it");
		}
		FileChannel channel = FileChannel.open(path, CREATE_EXCLUSIVELY, OWNER_ONLY);
		try {
			channel.write(ByteBuffer.wrap(PID));
			channel.force(true);
			return new SeedPidFileLock(path, channel);
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			Files.deleteIfExists(path);
			throw ex;
		}
	}

	@Override
	public void close() throws IOException {
		this.channel.close();
		Files.delete(this.path);
	}

}
