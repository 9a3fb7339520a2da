package io.forwardlock.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static java.util.stream.Collectors.joining;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9, item 11, measured with the sample's ledger: while instance A holds the lock
 * and instance B retries ({@code max-retries}, a 10 ms {@code retry-delay}), the lock
 * file (or the whole lock directory) is deleted again and again until B gets in. A hears
 * of the deletion through its directory watch and either re-creates its file first or
 * reports the loss; its ledger job checks {@code ForwardLock.ensureHeld()} before each
 * tick. The ledger must show no tick of A after B's first tick. Prints the window:
 * deletion to A's {@code LOCK_LOST}, deletion to B's acquisition and first tick, and A's
 * last tick to B's first. Without a directory watch (systems other than Linux, or the
 * inotify watch limit reached), the holder would learn of the deletion only at its next
 * verification, but its {@code ensureHeld()} sees at once that the path no longer names
 * its file.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class SampleAppLockDeletionProcessIT {

	private static final String[] COMMON = { "--sample.tick-interval=50ms" };

	@TempDir
	Path dir;

	@ParameterizedTest(name = "rm -rf of the {0}, {1}")
	@CsvSource({ "lock file, directory watched", "lock directory, directory watched",
			"lock file, no directory watch (as on macOS)" })
	void holderWritesNoTickAfterTheRetriersFirstWhenItsLockIsDeleted(String deleted, String watch) throws Exception {
		Path locks = this.dir.resolve("locks");
		Path lockFile = locks.resolve("forward-mcp.lock");
		SampleLedger ledger = new SampleLedger(this.dir.resolve("ledger.txt"));
		Map<String, String> environment = Map.of("FORWARD_LOCK_DIR", locks.toString(), "SAMPLE_LEDGER_FILE",
				ledger.file().toString());
		// The JDK watches directories through inotify on Linux only, so the holder runs
		// without a watch where it believes it runs on macOS (Tomcat would not start
		// there, hence no web server)
		boolean watched = !watch.startsWith("no");
		List<String> jvmOptions = watched ? List.of() : List.of("-Dos.name=Mac OS X");
		String[] holderArgs = watched ? COMMON : new String[] { COMMON[0], "--spring.main.web-application-type=none" };
		try (SampleAppProcess holder = SampleAppProcess.start(jvmOptions, environment, holderArgs).awaitStarted()) {
			ledger.awaitTicksOf(holder.pid(), 1);
			try (SampleAppProcess retrier = SampleAppProcess.start(environment, COMMON[0],
					"--forward.lock.max-retries=1000000", "--forward.lock.retry-delay=10ms")) {
				retrier.awaitOutput("attempt 1 of 1000001 failed", SampleAppProcess.START_TIMEOUT);
				// Each deletion is a chance for the retrier: the holder re-creates its
				// file within milliseconds, so delete again until the retrier is first
				List<Instant> deletions = new CopyOnWriteArrayList<>();
				try {
					await().atMost(Duration.ofMinutes(3))
						.pollInterval(Duration.ofMillis(150))
						.failFast(() -> !retrier.isAlive()
								|| (!holder.isAlive() && !holder.output().contains("LOCK_LOST")))
						.until(() -> {
							// the holder may hear of its loss (and exit) before the
							// retrier has logged its acquisition
							if (retrier.output().contains("Acquired lock") || holder.output().contains("LOCK_LOST")) {
								return true;
							}
							deletions.add(Instant.now());
							if (deleted.equals("lock file")) {
								Files.deleteIfExists(lockFile);
							}
							else {
								deleteTree(locks);
							}
							return false;
						});
				}
				catch (RuntimeException ex) {
					throw new AssertionError("The retrier did not get in after " + deletions.size()
							+ " deletions; holder:\n" + withoutAttempts(holder.output()) + "\nretrier:\n"
							+ withoutAttempts(retrier.output()), ex);
				}
				holder.awaitOutput("LOCK_LOST", Duration.ofSeconds(60));
				// default on-lost: the old holder stops its work and exits
				assertThat(holder.awaitExit()).isEqualTo(76);
				ledger.awaitTicksOf(retrier.pid(), 20);
				ledger.assertNoTickOfAfterFirstOf(holder.pid(), retrier.pid());
				report(deleted + ", " + watch, deletions, holder, retrier, ledger);
			}
		}
	}

	private static void report(String deleted, List<Instant> deletions, SampleAppProcess holder,
			SampleAppProcess retrier, SampleLedger ledger) throws IOException {
		Instant acquired = loggedAt(retrier, "Acquired lock");
		Instant lost = loggedAt(holder, "LOCK_LOST");
		// the deletion that let the retrier in: the last one before either side saw it
		Instant earliest = acquired.isBefore(lost) ? acquired : lost;
		Instant deletion = deletions.stream()
			.filter((each) -> each.isBefore(earliest))
			.reduce((a, b) -> b)
			.orElseThrow();
		// No tick of the holder follows the retrier's first
		Instant lastOfHolder = ledger.lastOf(holder.pid()).orElseThrow().at();
		Instant firstOfRetrier = ledger.firstOf(retrier.pid()).orElseThrow().at();
		System.out
			.printf("Deletion of the %s under a holder (%d deletions until the retrier got in): deletion -> holder's "
					+ "LOCK_LOST %d ms, -> retrier acquired %d ms, -> retrier's first tick %d ms; "
					+ "holder's last tick -> retrier's first tick %d ms (holder's last tick %d ms after the deletion)%n",
					deleted, deletions.size(), millis(deletion, lost), millis(deletion, acquired),
					millis(deletion, firstOfRetrier), millis(lastOfHolder, firstOfRetrier),
					millis(deletion, lastOfHolder));
	}

	private static String withoutAttempts(String output) {
		return output.lines().filter((line) -> !line.contains(" failed, next attempt in ")).collect(joining("\n"));
	}

	private static long millis(Instant from, Instant to) {
		return Duration.between(from, to).toMillis();
	}

	private static Instant loggedAt(SampleAppProcess process, String text) {
		return SampleLedger.loggedAt(process.output(), text)
			.orElseThrow(() -> new AssertionError("No log line with '" + text + "' in:\n" + process.output()));
	}

	/**
	 * Delete a directory tree as {@code rm -rf} does, while the holder may be re-creating
	 * it: whatever vanished or appeared meanwhile is left to the next round.
	 */
	private static void deleteTree(Path root) throws IOException {
		List<Path> paths;
		try (Stream<Path> walk = Files.walk(root)) {
			paths = walk.sorted(Comparator.reverseOrder()).toList();
		}
		catch (NoSuchFileException | UncheckedIOException ex) {
			return;
		}
		for (Path path : paths) {
			try {
				Files.deleteIfExists(path);
			}
			catch (IOException ex) {
				// re-created meanwhile (a directory that is no longer empty)
			}
		}
	}

}
