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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.awaitility.core.ConditionTimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample application's executable jar running in a JVM of its own, with its output
 * captured: how every process test starts, waits for, signals and reads the sample (and
 * any other JVM it needs, such as a server). Always {@link #close()} it.
 */
final class SampleAppProcess implements AutoCloseable {

	static final Duration START_TIMEOUT = Duration.ofSeconds(120);

	static final Duration EXIT_TIMEOUT = Duration.ofSeconds(120);

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
		awaitFound("'" + text + "'", () -> Optional.of(text).filter(output()::contains), timeout);
		return this;
	}

	SampleAppProcess awaitStarted() {
		return awaitOutput("Started SampleApplication", START_TIMEOUT);
	}

	SampleAppProcess awaitStandby() {
		return awaitOutput("waiting on standby", START_TIMEOUT);
	}

	/**
	 * Wait for the first output line that starts with the prefix, as
	 * {@link #awaitOutput(String, Duration)} waits for a text.
	 * @param prefix the start of the line
	 * @param timeout how long to wait at most
	 * @return the line
	 */
	String awaitLine(String prefix, Duration timeout) {
		return awaitFound("a line starting with '" + prefix + "'",
				() -> output().lines().filter((line) -> line.startsWith(prefix)).findFirst(), timeout);
	}

	private <T> T awaitFound(String description, Supplier<Optional<T>> search, Duration timeout) {
		try {
			await().atMost(timeout)
				.pollDelay(Duration.ZERO)
				.pollInterval(Duration.ofMillis(50))
				.until(() -> search.get().isPresent() || outputEnded());
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError("process " + pid() + " did not print " + description + " within " + timeout
					+ "; its output so far:\n" + output(), ex);
		}
		return search.get()
			.orElseThrow(() -> new AssertionError("process " + pid() + " exited with " + this.process.exitValue()
					+ " without printing " + description + "; its output:\n" + output()));
	}

	int awaitExit() throws InterruptedException {
		return awaitExit(EXIT_TIMEOUT);
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

	/**
	 * Stop the process as an operator would (SIGTERM) and wait for it to exit.
	 * @return the exit status
	 * @throws InterruptedException if interrupted
	 */
	int stop() throws InterruptedException {
		terminate();
		return awaitExit();
	}

	/**
	 * Crash the process (SIGKILL: no shutdown hook runs, nothing is released) and wait
	 * for it to be gone.
	 * @throws InterruptedException if interrupted
	 */
	void crash() throws InterruptedException {
		kill();
		awaitExit();
	}

	/**
	 * Send SIGSTOP: a process that hangs (a long GC pause, a frozen VM) with all its
	 * resources kept. {@link #resume()} it in a {@code finally} block.
	 * @throws Exception if {@code kill} fails
	 */
	void pause() throws Exception {
		signal("STOP");
	}

	/**
	 * Send SIGCONT to a {@link #pause() paused} process.
	 * @throws Exception if {@code kill} fails
	 */
	void resume() throws Exception {
		signal("CONT");
	}

	/**
	 * The lost-lock scenario: this holder hangs (SIGSTOP) until the standby has taken its
	 * lock over and ticked, then resumes (SIGCONT) and must hear of its loss while the
	 * new holder writes on. A downstream system that refuses smaller fencing tokens
	 * accepts no tick of this holder after the new holder's first: the only one the raw
	 * ledger may show is the tick that had passed its check when this holder was paused.
	 * @param standby a standby for the same lock, started but not yet waiting
	 * @param ledger the ledger both write to
	 * @throws Exception if a signal cannot be sent or the ledger read
	 */
	void hangUntilTakenOverBy(SampleAppProcess standby, SampleLedger ledger) throws Exception {
		standby.awaitStandby();
		pause();
		try {
			standby.awaitStarted();
			ledger.awaitTicksOf(standby.pid(), 1);
		}
		finally {
			resume();
		}
		awaitOutput("LOCK_LOST", Duration.ofSeconds(60));
		// Let the new holder write on for a while next to the resumed old one
		ledger.awaitTicksOf(standby.pid(), ledger.ticksOf(standby.pid()) + 20);
		// the tick that had passed its check when this holder was paused may land after
		// the new holder's first: its smaller token fences it off
		ledger.assertPausedHolderIsFencedOffAfterFirstOf(pid(), standby.pid());
	}

	private void signal(String signal) throws Exception {
		Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).inheritIO().start();
		assertThat(kill.waitFor(30, TimeUnit.SECONDS)).as("kill -" + signal + " ended").isTrue();
		assertThat(kill.exitValue()).as("status of kill -" + signal).isZero();
	}

	/**
	 * Wait for this instance to be refused because another holds the lock: it exits with
	 * status 75 and reports, in words (no stack trace), which instance holds the lock,
	 * without having started its web server.
	 * @param holder the instance that holds the lock
	 * @return the output, for the assertions on each backend's report
	 * @throws InterruptedException if interrupted
	 */
	String awaitRefusalBy(SampleAppProcess holder) throws InterruptedException {
		assertThat(awaitExit()).as("exit status of the refused instance").isEqualTo(75);
		assertThat(output()).contains("APPLICATION FAILED TO START")
			.contains("Holder: PID " + holder.pid())
			.doesNotContain("Tomcat started");
		assertNoStackTrace();
		return output();
	}

	/**
	 * Assert that the output shows no stack trace: an expected refusal or loss is
	 * reported in words.
	 */
	void assertNoStackTrace() {
		assertThat(output()).doesNotContainPattern("(?m)^\\s+at [\\w.$]+\\(")
			.doesNotContain("Exception in thread")
			.doesNotContain("Caused by:");
	}

	/**
	 * Arguments followed by more, for an instance that differs from the others in a few.
	 * @param args the shared arguments
	 * @param more the arguments to add
	 * @return all of them
	 */
	static String[] withArgs(String[] args, String... more) {
		List<String> all = new ArrayList<>(List.of(args));
		all.addAll(List.of(more));
		return all.toArray(String[]::new);
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
