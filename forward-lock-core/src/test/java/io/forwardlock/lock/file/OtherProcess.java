package io.forwardlock.lock.file;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process other than this JVM that takes POSIX locks ({@code fcntl(F_SETLK)}, through
 * Python's {@code fcntl.lockf}), as another instance would: the kernel's answer to it is
 * the proof of who holds a lock.
 */
final class OtherProcess implements AutoCloseable {

	private static final String TRY_LOCK = String.join("\n", "import fcntl, sys", "f = open(sys.argv[1], 'r+')",
			"fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)");

	private static final String HOLD = String.join("\n", "import fcntl, sys", "f = open(sys.argv[1], 'r+')",
			"fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)",
			"f.seek(0); f.truncate(); f.write(sys.argv[2] + '\\n'); f.flush()", "print('READY', flush=True)",
			"for line in sys.stdin:", "    f.seek(0); f.truncate(); f.write(line); f.flush()",
			"    print('WROTE', flush=True)");

	private final Process process;

	private final BufferedReader output;

	private OtherProcess(Process process) {
		this.process = process;
		this.output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
	}

	/**
	 * Whether Python is there to play the other process.
	 * @return whether available
	 */
	static boolean available() {
		try {
			Process process = new ProcessBuilder("python3", "-c", "import fcntl").redirectErrorStream(true).start();
			process.getInputStream().readAllBytes();
			return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Whether another process can lock the whole file right now (it lets go at once).
	 * @param file the file
	 * @return whether it got the lock
	 * @throws Exception on failure to run it
	 */
	static boolean canLock(Path file) throws Exception {
		Process process = new ProcessBuilder("python3", "-c", TRY_LOCK, file.toString()).redirectErrorStream(true)
			.start();
		process.getInputStream().readAllBytes();
		if (!process.waitFor(30, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IllegalStateException("the other process did not finish");
		}
		return process.exitValue() == 0;
	}

	/**
	 * Start a process that locks the whole file, writes its PID (or the given one) as the
	 * file's content, and holds the lock until closed.
	 * @param file the file
	 * @param pid the PID to write, or {@code -1} for the process's own
	 * @return the process, once it holds the lock
	 * @throws Exception when it could not lock the file
	 */
	static OtherProcess holding(Path file, long pid) throws Exception {
		List<String> command = new ArrayList<>(List.of("python3", "-c",
				HOLD.replace("sys.argv[2]", (pid < 0) ? "str(__import__('os').getpid())" : "sys.argv[2]"),
				file.toString(), Long.toString(pid)));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		OtherProcess other = new OtherProcess(process);
		String line = other.output.readLine();
		if (!"READY".equals(line)) {
			other.close();
			throw new IllegalStateException("the other process did not lock " + file + ": " + line);
		}
		return other;
	}

	/**
	 * Make the file's content one line, written through the process's locked descriptor.
	 * @param line the line, without its line feed
	 * @throws IOException when the process did not write it
	 */
	void write(String line) throws IOException {
		this.process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
		this.process.getOutputStream().flush();
		String answer = this.output.readLine();
		if (!"WROTE".equals(answer)) {
			throw new IOException("the other process did not write: " + answer);
		}
	}

	long pid() {
		return this.process.pid();
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(30, TimeUnit.SECONDS);
	}

}
