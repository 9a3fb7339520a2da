package io.forwardlock.actuate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Main class of a separate JVM that probes a lock file from outside the application, as
 * another program would.
 * <ul>
 * <li>{@code try-lock <file>}: tries to lock the existing file and prints {@code LOCKED} or
 * {@code REFUSED}.</li>
 * <li>{@code take-over <file>}: locks a new file and moves it over the lock file, prints
 * {@code TOOK_OVER}, then holds it until its standard input closes.</li>
 * </ul>
 */
public final class LockFileProbe {

	private LockFileProbe() {
	}

	public static void main(String[] args) throws Exception {
		Path file = Path.of(args[1]);
		switch (args[0]) {
			case "try-lock" -> tryLock(file);
			case "take-over" -> takeOver(file);
			default -> throw new IllegalArgumentException("Unknown mode " + args[0]);
		}
	}

	private static void tryLock(Path file) throws IOException {
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
				LinkOption.NOFOLLOW_LINKS)) {
			FileLock lock = channel.tryLock();
			System.out.println((lock != null) ? "LOCKED" : "REFUSED");
			System.out.flush();
		}
	}

	private static void takeOver(Path file) throws IOException {
		Path replacement = file.resolveSibling(file.getFileName() + ".takeover");
		try (FileChannel channel = FileChannel.open(replacement, StandardOpenOption.CREATE_NEW,
				StandardOpenOption.READ, StandardOpenOption.WRITE)) {
			FileLock lock = channel.tryLock();
			if (lock == null) {
				throw new IllegalStateException("Could not lock " + replacement);
			}
			String holder = "pid=" + ProcessHandle.current().pid() + "\n";
			channel.write(StandardCharsets.UTF_8.encode(holder));
			channel.force(true);
			// A rename keeps the inode and so the lock: the application's file is now a
			// different file, locked by this process.
			Files.move(replacement, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			System.out.println("TOOK_OVER");
			System.out.flush();
			try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
				while (in.readLine() != null) {
					// hold the lock until the test closes our input
				}
			}
		}
	}

	/**
	 * Start a probe in a new JVM with this JVM's class path.
	 * @param mode the probe mode
	 * @param file the lock file
	 * @return the started process
	 * @throws IOException if the process cannot be started
	 */
	public static Process start(String mode, Path file) throws IOException {
		String java = ProcessHandle.current().info().command().orElse(
				Path.of(System.getProperty("java.home"), "bin", "java").toString());
		List<String> command = new ArrayList<>(List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
				System.getProperty("java.class.path"), LockFileProbe.class.getName(), mode, file.toString()));
		return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
	}

	/**
	 * Read the first line that a probe prints, waiting at most the given time.
	 * @param process the probe
	 * @param timeoutSeconds how long to wait for the process to print a line
	 * @return the line
	 * @throws Exception if the probe printed nothing in time
	 */
	public static String firstLine(Process process, long timeoutSeconds) throws Exception {
		BufferedReader out = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
		CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
			try {
				return out.readLine();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		});
		return line.get(timeoutSeconds, TimeUnit.SECONDS);
	}

}
