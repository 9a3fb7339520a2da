package io.forwardlock.lock.file.testsupport;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Child process that tells whether a file is locked by another process, by trying to
 * lock it itself: prints {@code LOCKED_BY_OTHER}, {@code FREE} or {@code MISSING}, then
 * exits. Never creates the file.
 */
public final class LockProbeProcess {

	private LockProbeProcess() {
	}

	public static void main(String[] args) throws Exception {
		try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE,
				LinkOption.NOFOLLOW_LINKS)) {
			FileLock lock = channel.tryLock();
			System.out.println((lock != null) ? "FREE" : "LOCKED_BY_OTHER");
		}
		catch (NoSuchFileException ex) {
			System.out.println("MISSING");
		}
	}

}
