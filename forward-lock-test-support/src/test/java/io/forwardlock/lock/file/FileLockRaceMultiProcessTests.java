package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.file.testsupport.ChildJvm;
import io.forwardlock.lock.file.testsupport.LockHolderProcess;
import io.forwardlock.lock.testsupport.OverlapJournal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The acquire/release stress across JVMs, with {@code /proc} and with {@code /proc}
 * hidden (as on macOS, the BSDs, or Linux without {@code /proc}), where a holder cannot
 * prove which file its descriptor locked. An {@link OverlapJournal} that the racers
 * append to while they hold the lock counts overlaps.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FileLockRaceMultiProcessTests {

	private static final int PROCESSES = 8;

	private static final int ROUNDS = 30;

	/**
	 * Run the command in a private mount namespace with an empty tmpfs over
	 * {@code /proc}; {@code $0} and {@code $@} are the Java command line. The launcher
	 * finds its libraries through {@code /proc/self/exe}, so they are named explicitly.
	 */
	private static final List<String> WITHOUT_PROC = List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
			"mount -t tmpfs tmpfs /proc && LD_LIBRARY_PATH='" + Path.of(System.getProperty("java.home"), "lib")
					+ "' exec \"$0\" \"$@\"");

	@TempDir
	Path directory;

	private final List<ChildJvm> children = new ArrayList<>();

	@AfterEach
	void cleanUp() {
		this.children.forEach(ChildJvm::close);
	}

	@Test
	void eightProcessesRaceWithoutOverlap() throws Exception {
		race(List.of(), "with /proc");
		assertThat(this.directory.resolve("app.lock")).doesNotExist();
	}

	@Test
	void eightProcessesRaceWithoutOverlapWhenProcIsHidden() throws Exception {
		assumeThat(canRun(withoutProc("true"))).as("unshare -m and mount work").isTrue();
		race(WITHOUT_PROC, "with /proc hidden");
		// without proof of the locked file's identity the file is kept, and emptied
		assertThat(this.directory.resolve("app.lock")).isEmptyFile();
		assertThat(this.directory.resolve("app.lock.holder")).doesNotExist();
	}

	private void race(List<String> prefix, String mode) throws Exception {
		OverlapJournal journal = new OverlapJournal(this.directory.resolve("journal.log"));
		List<ChildJvm> racers = new ArrayList<>();
		for (int i = 0; i < PROCESSES; i++) {
			ChildJvm racer = ChildJvm.start(prefix, LockHolderProcess.class, this.directory.toString(), "app");
			this.children.add(racer);
			racers.add(racer);
		}
		for (ChildJvm racer : racers) {
			racer.await(Duration.ofSeconds(60), "READY");
		}
		long started = System.nanoTime();
		for (int i = 0; i < PROCESSES; i++) {
			// half wait in the kernel, half poll with tryAcquire
			racers.get(i).send("race " + ROUNDS + " " + journal.file() + " " + ((i % 2 == 0) ? "block" : "poll"));
		}
		for (ChildJvm racer : racers) {
			assertThat(racer.await(Duration.ofSeconds(150), "DONE", "ERROR")).isEqualTo("DONE");
		}
		long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
		OverlapJournal.Verdict verdict = journal.verdict();
		System.out.printf("File lock race %s: %d processes x %d rounds = %d acquisitions, %d overlaps, %d ms%n", mode,
				PROCESSES, ROUNDS, verdict.entries(), verdict.overlaps(), millis);
		assertThat(verdict.entries()).isEqualTo(PROCESSES * ROUNDS);
		assertThat(verdict.overlaps()).isZero();
	}

	private static List<String> withoutProc(String... command) {
		List<String> full = new ArrayList<>(WITHOUT_PROC);
		full.addAll(List.of(command));
		return full;
	}

	private static boolean canRun(List<String> command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
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

}
