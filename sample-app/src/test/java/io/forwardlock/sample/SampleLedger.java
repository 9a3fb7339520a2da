package io.forwardlock.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's ledger as process tests read it: one entry per line that {@link LedgerJob}
 * appended, in the order the kernel appended them, and the timestamps of the processes'
 * log lines, which the tests compare with the ledger's (all processes run on this host,
 * on one clock).
 */
final class SampleLedger {

	private static final Pattern TICK = Pattern.compile("tick (\\d+) pid=(\\d+) at=(\\S+)(?: token=(\\d+))?.*");

	private static final Pattern PID = Pattern.compile("\\bpid=(\\d+)");

	private static final Pattern LOG_TIME = Pattern
		.compile("^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+\\S*)\\s.*");

	private static final Duration TICKS_TIMEOUT = Duration.ofSeconds(60);

	private final Path file;

	SampleLedger(Path file) {
		this.file = file;
	}

	Path file() {
		return this.file;
	}

	List<Tick> ticks() throws IOException {
		if (!Files.exists(this.file)) {
			return List.of();
		}
		return Files.readAllLines(this.file)
			.stream()
			.map(TICK::matcher)
			.filter(Matcher::matches)
			.map((m) -> new Tick(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Instant.parse(m.group(3)),
					(m.group(4) != null) ? OptionalLong.of(Long.parseLong(m.group(4))) : OptionalLong.empty()))
			.toList();
	}

	long ticksOf(long pid) throws IOException {
		return ticks().stream().filter((tick) -> tick.pid() == pid).count();
	}

	/**
	 * Wait until a process has written at least a number of ticks.
	 * @param pid the process
	 * @param count how many ticks it must have written
	 */
	void awaitTicksOf(long pid, long count) {
		await().atMost(TICKS_TIMEOUT).until(() -> ticksOf(pid) >= count);
	}

	Optional<Tick> firstOf(long pid) throws IOException {
		return ticks().stream().filter((tick) -> tick.pid() == pid).findFirst();
	}

	Optional<Tick> lastOf(long pid) throws IOException {
		return ticks().stream().filter((tick) -> tick.pid() == pid).reduce((first, second) -> second);
	}

	/**
	 * Assert that the ledger shows no tick of the old holder after the new holder's first
	 * tick: the two never worked at the same time.
	 * @param oldHolder the PID of the holder that lost the lock
	 * @param newHolder the PID of the holder that took it over
	 */
	void assertNoTickOfAfterFirstOf(long oldHolder, long newHolder) throws IOException {
		List<Tick> ticks = ticks();
		int first = indexOfFirst(ticks, newHolder);
		assertThat(ticks.subList(first, ticks.size())).as("ticks after the new holder's first")
			.extracting(Tick::pid)
			.doesNotContain(oldHolder);
	}

	/**
	 * Assert that every tick carries a fencing token and that, in the order the kernel
	 * appended them, the tokens never go down and grow when another process writes: a
	 * downstream system that refuses smaller tokens than the largest it has seen would
	 * have accepted every tick.
	 */
	void assertFencingTokensNeverDecrease() throws IOException {
		Fenced fenced = fenced();
		assertThat(fenced.refused()).as("ticks with a smaller token than one before them in " + this.file).isEmpty();
		fenced.assertTokensGrowWithEveryHolder();
	}

	/**
	 * Assert what a holder paused (SIGSTOP) until another took the lock over may leave in
	 * the ledger. Its tick that had passed its check ({@code ensureHeld()}) when it was
	 * paused is appended when it resumes, possibly after the new holder's first: nothing
	 * can stop a process that freezes between the check and the side effect. That tick
	 * carries the old holder's token, smaller than the new holder's, so a downstream
	 * system that refuses smaller tokens than the largest it has seen turns it away. So:
	 * at most one such tick, refused; among the accepted ticks none of the old holder
	 * after the new holder's first, unless under a new, larger token; and the tokens grow
	 * with every holder.
	 * @param pausedHolder the PID of the holder that was paused and lost the lock
	 * @param newHolder the PID of the holder that took it over
	 */
	void assertPausedHolderIsFencedOffAfterFirstOf(long pausedHolder, long newHolder) throws IOException {
		Fenced fenced = fenced();
		assertThat(fenced.refused()).as("ticks refused for a smaller token in " + this.file)
			.hasSizeLessThanOrEqualTo(1)
			.allSatisfy((tick) -> assertThat(tick.pid()).isEqualTo(pausedHolder));
		fenced.assertTokensGrowWithEveryHolder();
		List<Tick> accepted = fenced.accepted();
		int first = indexOfFirst(accepted, newHolder);
		long newToken = accepted.get(first).token().getAsLong();
		assertThat(accepted.subList(first, accepted.size()))
			.as("accepted ticks of the paused holder after the new holder's first")
			.filteredOn((tick) -> tick.pid() == pausedHolder)
			.allSatisfy((tick) -> assertThat(tick.token().getAsLong()).isGreaterThan(newToken));
	}

	private int indexOfFirst(List<Tick> ticks, long pid) {
		int first = 0;
		while (first < ticks.size() && ticks.get(first).pid() != pid) {
			first++;
		}
		assertThat(first).as("index of the new holder's first tick in " + this.file).isLessThan(ticks.size());
		return first;
	}

	/**
	 * The ticks as a downstream system that refuses a smaller fencing token than the
	 * largest it has seen would take them, in the order the kernel appended them.
	 * @return the accepted and the refused ticks
	 */
	Fenced fenced() throws IOException {
		List<Tick> ticks = ticks();
		assertThat(ticks).as("ticks in " + this.file).isNotEmpty();
		assertThat(ticks).as("ticks with a fencing token").allSatisfy((tick) -> assertThat(tick.token()).isPresent());
		List<Tick> accepted = new ArrayList<>();
		List<Tick> refused = new ArrayList<>();
		long highest = Long.MIN_VALUE;
		for (Tick tick : ticks) {
			long token = tick.token().getAsLong();
			if (token >= highest) {
				accepted.add(tick);
				highest = token;
			}
			else {
				refused.add(tick);
			}
		}
		return new Fenced(accepted, refused);
	}

	Optional<Tick> last() throws IOException {
		List<Tick> ticks = ticks();
		return ticks.isEmpty() ? Optional.empty() : Optional.of(ticks.get(ticks.size() - 1));
	}

	/**
	 * The PIDs of the file's lines in order, each run of equal PIDs counted once:
	 * {@code [a, b]} when {@code a} ticked, then {@code b}, with no tick of {@code a}
	 * after {@code b}'s first. Any line that names a {@code pid=} counts, so that the
	 * sample's start-up marker (a line per constructed job) reads the same way.
	 */
	List<Long> pidRuns() throws IOException {
		List<Long> runs = new ArrayList<>();
		if (!Files.exists(this.file)) {
			return runs;
		}
		for (String line : Files.readAllLines(this.file)) {
			Matcher named = PID.matcher(line);
			if (named.find()) {
				long pid = Long.parseLong(named.group(1));
				if (runs.isEmpty() || runs.get(runs.size() - 1) != pid) {
					runs.add(pid);
				}
			}
		}
		return runs;
	}

	/**
	 * When a process logged the first line that contains the text.
	 * @param output the process's output
	 * @param text the text to find
	 * @return the time of that log line, if there is one
	 */
	static Optional<Instant> loggedAt(String output, String text) {
		Instant lastStamp = null;
		for (String line : output.lines().toList()) {
			Matcher stamped = LOG_TIME.matcher(line);
			if (stamped.matches()) {
				lastStamp = OffsetDateTime.parse(stamped.group(1)).toInstant();
			}
			// A message of several lines: the time is that of its first line
			if (line.contains(text) && lastStamp != null) {
				return Optional.of(lastStamp);
			}
		}
		return Optional.empty();
	}

	record Tick(long number, long pid, Instant at, OptionalLong token) {

	}

	/**
	 * Ticks as a downstream system that refuses smaller fencing tokens takes them.
	 *
	 * @param accepted the ticks it accepts
	 * @param refused the ticks it refuses
	 */
	record Fenced(List<Tick> accepted, List<Tick> refused) {

		/**
		 * Assert that an accepted tick of another process than the one before it carries
		 * a larger token: each holder's acquisition got a larger token than the last.
		 */
		void assertTokensGrowWithEveryHolder() {
			for (int i = 1; i < this.accepted.size(); i++) {
				Tick before = this.accepted.get(i - 1);
				Tick tick = this.accepted.get(i);
				if (tick.pid() != before.pid()) {
					assertThat(tick.token().getAsLong()).as("token of %s after %s", tick, before)
						.isGreaterThan(before.token().getAsLong());
				}
			}
		}

	}

}
