package io.forwardlock.lock.file.testsupport;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Child process that tells whether files are locked by another process, by trying to lock
 * them itself. Reads one path per line and answers {@code LOCKED_BY_OTHER}, {@code FREE}
 * or {@code MISSING}. Never creates a file, and releases at once what it locked. A line
 * {@code cat <path>} prints {@code CONTENT <content>} with newlines as {@code \n}: the
 * holder's own process must not read its lock file, since closing the descriptor would
 * drop its lock.
 */
public final class LockProbeProcess {

	private LockProbeProcess() {
	}

	public static void main(String[] args) throws Exception {
		System.out.println("READY " + ProcessHandle.current().pid());
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String line;
		while ((line = in.readLine()) != null) {
			if (line.startsWith("cat ")) {
				System.out
					.println("CONTENT " + Files.readString(Path.of(line.substring(4).trim())).replace("\n", "\\n"));
			}
			else {
				System.out.println(probe(Path.of(line.trim())));
			}
			System.out.flush();
		}
	}

	private static String probe(Path path) throws Exception {
		try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
				LinkOption.NOFOLLOW_LINKS)) {
			FileLock lock = channel.tryLock();
			return (lock != null) ? "FREE" : "LOCKED_BY_OTHER";
		}
		catch (NoSuchFileException ex) {
			return "MISSING";
		}
	}

}
