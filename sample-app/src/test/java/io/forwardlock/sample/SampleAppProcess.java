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
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElse("java"));
		// start-up speed matters more than peak speed here
		command.add("-XX:TieredStopAtLevel=1");
		command.add("-XX:+UseSerialGC");
		command.add("-Xmx192m");
		command.addAll(jvmOptions);
		command.add("-jar");
		command.add(jar().toString());
		command.add("--server.port=0");
		command.addAll(List.of(args));
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
	 * Wait until the output contains the text.
	 * @param text the text to wait for
	 * @param timeout how long to wait at most
	 * @return this process
	 */
	SampleAppProcess awaitOutput(String text, Duration timeout) {
		await().atMost(timeout)
			.pollInterval(Duration.ofMillis(50))
			.failFast("process " + pid() + " exited early:\n" + output(),
					() -> !this.process.isAlive() && !output().contains(text))
			.until(() -> output().contains(text));
		return this;
	}

	SampleAppProcess awaitStarted() {
		return awaitOutput("Started SampleApplication", START_TIMEOUT);
	}

	/**
	 * Wait for the process to exit.
	 * @param timeout how long to wait at most
	 * @return the exit status
	 * @throws InterruptedException if interrupted
	 */
	int awaitExit(Duration timeout) throws InterruptedException {
		if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new AssertionError("process " + pid() + " did not exit within " + timeout + ":\n" + output());
		}
		// The process is gone, but its last lines may still be on their way
		this.pump.join(TimeUnit.SECONDS.toMillis(30));
		return this.process.exitValue();
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
