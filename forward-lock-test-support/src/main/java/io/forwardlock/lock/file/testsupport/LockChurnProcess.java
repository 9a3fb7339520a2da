package io.forwardlock.lock.file.testsupport;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Child process that makes the host's lock table big and busy, as other software on a
 * busy host does. Arguments: directory, {@code hold} or {@code churn}, and a number of
 * files. {@code hold} locks that many files of its own and keeps them; {@code churn}
 * locks and unlocks that many files of its own in a loop. Prints {@code READY} once the
 * locks are in place (or the loop runs), and runs until its standard input closes or it
 * is killed.
 */
public final class LockChurnProcess {

	private LockChurnProcess() {
	}

	public static void main(String[] args) throws Exception {
		Path directory = Path.of(args[0]);
		boolean churn = args[1].equals("churn");
		int count = Integer.parseInt(args[2]);
		String prefix = args[1] + "-" + ProcessHandle.current().pid() + "-";
		List<FileChannel> channels = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			channels.add(FileChannel.open(directory.resolve(prefix + i), StandardOpenOption.CREATE,
					StandardOpenOption.READ, StandardOpenOption.WRITE));
		}
		if (!churn) {
			for (FileChannel channel : channels) {
				channel.lock();
			}
		}
		Thread watcher = new Thread(() -> {
			try {
				while (System.in.read() >= 0) {
					// wait for the parent to close the pipe
				}
			}
			catch (IOException ex) {
				// the parent is gone
			}
			System.exit(0);
		});
		watcher.setDaemon(true);
		watcher.start();
		System.out.println("READY " + ProcessHandle.current().pid());
		System.out.flush();
		if (!churn) {
			watcher.join();
			return;
		}
		while (true) {
			for (FileChannel channel : channels) {
				FileLock lock = channel.lock();
				lock.release();
			}
			if (Files.notExists(directory)) {
				return;
			}
		}
	}

}
