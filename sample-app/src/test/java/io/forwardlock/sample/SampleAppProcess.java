package io.forwardlock.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The sample application's executable jar running in a JVM of its own, with its output
 * captured. Always {@link #close()} it.
 */
final class SampleAppProcess implements AutoCloseable {

	static final Duration START_TIMEOUT = Duration.ofSeconds(120);

	private static final Duration END_OF_OUTPUT_TIMEOUT = Duration.ofSeconds(30);

	private final Process process;

	private final StringBuffer output = new StringBuffer();

	private final Thread pump;

	private SampleAppProcess(Process process) {
		this.process = process;
		this.pump = new Thread(this::pump, "sample-app-" + process.pid());
		this.pump.setDaemon(true);
		this.pump.start();
	}

	/**
	 * Start the jar.
	 * @param environment environment variables to add
	 * @param args application arguments
	 * @return the running process
	 * @throws IOException if it cannot be started
	 */
	static SampleAppProcess start(Map<String, String> environment, String... args) throws IOException {
		return start(List.of(), environment, args);
	}

	/**
	 * Start the jar with options for the JVM, such as {@code -Dspring.aot.enabled=true}.
	 * @param jvmOptions options for the JVM
	 * @param environment environment variables to add
	 * @param args application arguments
	 * @return the running process
	 * @throws IOException if it cannot be started
	 */
	static SampleAppProcess start(List<String> jvmOptions, Map<String, String> environment, String... args)
			throws IOException {
		List<String> target = new ArrayList<>(List.of("-jar", jar().toString(), "--server.port=0"));
		target.addAll(List.of(args));
		return launch(jvmOptions, environment, target);
	}

	/**
	 * Start a main class in a JVM of its own, such as a server that the tests need
	 * outside their own JVM, with its output captured the same way.
	 * @param classPath the class path
	 * @param mainClass the main class
	 * @param args its arguments
	 * @return the running process
	 * @throws IOException if it cannot be started
	 */
	static SampleAppProcess startMain(String classPath, String mainClass, String... args) throws IOException {
		List<String> target = new ArrayList<>(List.of("-cp", classPath, mainClass));
		target.addAll(List.of(args));
		return launch(List.of(), Map.of(), target);
	}

	private static SampleAppProcess launch(List<String> jvmOptions, Map<String, String> environment,
			List<String> target) throws IOException {
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElse("java"));
		// start-up speed matters more than peak speed here
		command.add("-XX:TieredStopAtLevel=1");
		command.add("-XX:+UseSerialGC");
		command.add("-Xmx192m");
		command.addAll(jvmOptions);
		command.addAll(target);
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().putAll(environment);
		return new SampleAppProcess(builder.start());
	}

	static Path jar() {
		return Path.of(System.getProperty("sample.jar", "target/sample-app.jar")).toAbsolutePath();
	}

	private void pump() {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				this.output.append(line).append('\n');
			}
		}
		catch (IOException ex) {
			// the process went away; its output so far is kept
		}
	}

	long pid() {
		return this.process.pid();
	}

	String output() {
		return this.output.toString();
	}

	/**
	 * Wait until the output contains the text. A process that exits without printing it
	 * fails the wait at once, but only after its output has been read to the end: the
	 * last lines it printed may still be in the pipe when it is gone.
	 * @param text the text to wait for
	 * @param timeout how long to wait at most
	 * @return this process
	 */
	SampleAppProcess awaitOutput(String text, Duration timeout) {
		await().atMost(timeout)
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> output().contains(text) || outputEnded());
		if (!output().contains(text)) {
			throw new AssertionError("process " + pid() + " exited with " + this.process.exitValue()
					+ " without printing '" + text + "'; its output:\n" + output());
		}
		return this;
	}

	SampleAppProcess awaitStarted() {
		return awaitOutput("Started SampleApplication", START_TIMEOUT);
	}

	/**
	 * Wait for the process to exit and for its output to be read to the end.
	 * @param timeout how long to wait at most
	 * @return the exit status
	 * @throws InterruptedException if interrupted
	 */
	int awaitExit(Duration timeout) throws InterruptedException {
		if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new AssertionError("process " + pid() + " did not exit within " + timeout + ":\n" + output());
		}
		outputEnded();
		return this.process.exitValue();
	}

	/**
	 * Whether the process has exited; if so, its output is first read to the end. When
	 * the process exits, the JDK moves what is left in the pipe into a buffer and ends
	 * the stream there, so the wait is short; bounded all the same.
	 */
	private boolean outputEnded() throws InterruptedException {
		if (this.process.isAlive()) {
			return false;
		}
		this.pump.join(END_OF_OUTPUT_TIMEOUT.toMillis());
		return true;
	}

	/**
	 * Send SIGTERM, as systemd or {@code kill} would.
	 */
	void terminate() {
		// Through the handle: Process.destroy() would also close our end of its output
		this.process.toHandle().destroy();
	}

	/**
	 * Send SIGKILL: a crash that runs no shutdown hook.
	 */
	void kill() {
		this.process.toHandle().destroyForcibly();
	}

	ProcessHandle toHandle() {
		return this.process.toHandle();
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	@Override
	public void close() throws InterruptedException {
		if (this.process.isAlive()) {
			this.process.destroyForcibly();
			this.process.waitFor(30, TimeUnit.SECONDS);
		}
	}

}
