package io.forwardlock.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sample's ledger as process tests read it: one entry per line that {@link LedgerJob}
 * appended, in the order the kernel appended them, and the timestamps of the processes'
 * log lines, which the tests compare with the ledger's (all processes run on this host,
 * on one clock).
 */
final class SampleLedger {

	private static final Pattern TICK = Pattern.compile("tick (\\d+) pid=(\\d+) at=(\\S+).*");

	private static final Pattern LOG_TIME = Pattern
		.compile("^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+\\S*)\\s.*");

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
			.map((m) -> new Tick(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Instant.parse(m.group(3))))
			.toList();
	}

	long ticksOf(long pid) throws IOException {
		return ticks().stream().filter((tick) -> tick.pid() == pid).count();
	}

	Optional<Tick> firstOf(long pid) throws IOException {
		return ticks().stream().filter((tick) -> tick.pid() == pid).findFirst();
	}

	Optional<Tick> lastOf(long pid) throws IOException {
		return ticks().stream().filter((tick) -> tick.pid() == pid).reduce((first, second) -> second);
	}

	/**
	 * The ledger's pids in order, each run of equal pids counted once: {@code [a, b]}
	 * when {@code a} ticked, then {@code b}, with no tick of {@code a} after {@code b}'s
	 * first.
	 */
	List<Long> holderRuns() throws IOException {
		List<Long> runs = new java.util.ArrayList<>();
		for (Tick tick : ticks()) {
			if (runs.isEmpty() || runs.get(runs.size() - 1) != tick.pid()) {
				runs.add(tick.pid());
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

	record Tick(long number, long pid, Instant at) {

	}

}
