package io.forwardlock.lock.file.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a test-support {@code main} class on the test class path, with a
 * line protocol over its standard input and output. Always {@link #close()} it.
 */
public final class ChildJvm implements AutoCloseable {

	private final Process process;

	private final Writer input;

	private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

	private final List<String> transcript = Collections.synchronizedList(new ArrayList<>());

	private ChildJvm(Process process) {
		this.process = process;
		this.input = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
		Thread reader = new Thread(this::pump, "child-jvm-" + process.pid());
		reader.setDaemon(true);
		reader.start();
	}

	/**
	 * Start a child JVM.
	 * @param prefix command words before java (such as {@code setpriv ...}), may be empty
	 * @param mainClass the main class
	 * @param args its arguments
	 * @return the running child
	 * @throws IOException if it cannot be started
	 */
	public static ChildJvm start(List<String> prefix, Class<?> mainClass, String... args) throws IOException {
		return start(prefix, System.getProperty("java.class.path"), mainClass, args);
	}

	/**
	 * Start a child JVM with a given class path.
	 * @param prefix command words before java (such as {@code setpriv ...}), may be empty
	 * @param classPath the class path
	 * @param mainClass the main class
	 * @param args its arguments
	 * @return the running child
	 * @throws IOException if it cannot be started
	 */
	public static ChildJvm start(List<String> prefix, String classPath, Class<?> mainClass, String... args)
			throws IOException {
		List<String> command = new ArrayList<>(prefix);
		command.add(ProcessHandle.current().info().command().orElse("java"));
		// start-up speed matters more than peak speed for these short-lived children
		command.add("-XX:TieredStopAtLevel=1");
		command.add("-XX:+UseSerialGC");
		command.add("-Xmx64m");
		command.add("-XX:-UsePerfData");
		command.add("-cp");
		command.add(classPath);
		command.add(mainClass.getName());
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		return new ChildJvm(builder.start());
	}

	/**
	 * Start a child JVM.
	 * @param mainClass the main class
	 * @param args its arguments
	 * @return the running child
	 * @throws IOException if it cannot be started
	 */
	public static ChildJvm start(Class<?> mainClass, String... args) throws IOException {
		return start(List.of(), mainClass, args);
	}

	private void pump() {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				this.transcript.add(line);
				this.lines.add(line);
			}
		}
		catch (IOException ex) {
			// the child is gone
		}
	}

	/**
	 * Send a command line.
	 * @param command the command
	 * @throws IOException if the child does not accept it
	 */
	public void send(String command) throws IOException {
		this.input.write(command + "\n");
		this.input.flush();
	}

	/**
	 * Send a command and wait for the first output line starting with one of the
	 * prefixes.
	 * @param command the command
	 * @param timeout how long to wait
	 * @param prefixes accepted prefixes
	 * @return the line
	 * @throws Exception on timeout or failure
	 */
	public String ask(String command, Duration timeout, String... prefixes) throws Exception {
		send(command);
		return await(timeout, prefixes);
	}

	/**
	 * Wait for the next output line that starts with one of the prefixes, skipping
	 * others.
	 * @param timeout how long to wait
	 * @param prefixes accepted prefixes
	 * @return the line
	 * @throws Exception on timeout
	 */
	public String await(Duration timeout, String... prefixes) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			long left = deadline - System.nanoTime();
			String line = (left > 0) ? this.lines.poll(left, TimeUnit.NANOSECONDS) : null;
			if (line == null) {
				throw new AssertionError("Child " + this.process.pid() + " printed none of " + List.of(prefixes)
						+ " within " + timeout + "; output so far: " + this.transcript
						+ (this.process.isAlive() ? "" : " (exited with " + this.process.exitValue() + ")"));
			}
			for (String prefix : prefixes) {
				if (line.startsWith(prefix)) {
					return line;
				}
			}
		}
	}

	/**
	 * Process id of the child.
	 * @return the pid
	 */
	public long pid() {
		return this.process.pid();
	}

	/**
	 * The process.
	 * @return the process
	 */
	public Process process() {
		return this.process;
	}

	/**
	 * Everything the child printed so far.
	 * @return the lines
	 */
	public List<String> transcript() {
		synchronized (this.transcript) {
			return new ArrayList<>(this.transcript);
		}
	}

	/**
	 * Kill the child with SIGKILL and wait for it to be gone.
	 * @throws InterruptedException if interrupted
	 */
	public void kill() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(30, TimeUnit.SECONDS);
	}

	/**
	 * Wait for the child to exit.
	 * @param timeout how long to wait
	 * @return the exit code
	 * @throws Exception on timeout
	 */
	public int waitFor(Duration timeout) throws Exception {
		if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new AssertionError(
					"Child " + this.process.pid() + " did not exit within " + timeout + "; output: " + this.transcript);
		}
		return this.process.exitValue();
	}

	@Override
	public void close() {
		// resume a stopped child so that it can die
		signal("CONT");
		this.process.destroyForcibly();
		try {
			this.process.waitFor(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Send a signal with {@code kill -SIG pid}.
	 * @param signal the signal name, such as {@code STOP}
	 */
	public void signal(String signal) {
		if (!this.process.isAlive()) {
			return;
		}
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(this.process.pid())).start();
			kill.waitFor(10, TimeUnit.SECONDS);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not send SIG" + signal + " to " + this.process.pid(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
