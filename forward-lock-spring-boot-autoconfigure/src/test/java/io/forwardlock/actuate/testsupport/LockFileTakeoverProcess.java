package io.forwardlock.actuate.testsupport;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Child process that takes a lock file over from under its holder, as another program
 * would: it locks a new file beside the lock file and renames it over the lock file,
 * prints {@code TOOK_OVER}, then keeps its lock until its standard input closes.
 * <p>
 * Argument: the lock file.
 */
public final class LockFileTakeoverProcess {

	private LockFileTakeoverProcess() {
	}

	public static void main(String[] args) throws Exception {
		Path file = Path.of(args[0]);
		Path replacement = file.resolveSibling(file.getFileName() + ".takeover");
		try (FileChannel channel = FileChannel.open(replacement, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
				StandardOpenOption.WRITE)) {
			FileLock lock = channel.tryLock();
			if (lock == null) {
				System.out.println("ERROR could not lock " + replacement);
				return;
			}
			channel.write(StandardCharsets.UTF_8.encode(ProcessHandle.current().pid() + "\n"));
			channel.force(true);
			// A rename keeps the inode and so the lock: the path now names another file,
			// locked by this process.
			Files.move(replacement, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			System.out.println("TOOK_OVER");
			System.out.flush();
			BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
			while (in.readLine() != null) {
				// hold the lock until the test closes our input
			}
		}
	}

}
