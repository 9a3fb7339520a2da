package io.forwardlock.lock.testsupport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Outside verifier for multi-process tests: contenders append {@code ENTER} and
 * {@code EXIT} lines to one journal file opened with {@code O_APPEND}, one {@code write}
 * per line, so that the kernel orders the lines of all processes. Any overlap of two
 * holders shows as a line of another process between a holder's {@code ENTER} and its
 * {@code EXIT}. The verifier trusts nothing of the lock under test: it only reads the
 * journal.
 *
 * <p>
 * Line format: {@code ENTER <holder> [<fencing token>]} and
 * {@code EXIT <holder> [<fencing token>]}.
 */
public final class OverlapJournal {

	private final Path file;

	/**
	 * Create a journal at the given file; the file is created on the first append.
	 * @param file the journal file
	 */
	public OverlapJournal(Path file) {
		this.file = file;
	}

	/**
	 * Return the journal file.
	 * @return the file
	 */
	public Path file() {
		return this.file;
	}

	/**
	 * Record that {@code holder} entered its critical section.
	 * @param holder who entered, for example a process id
	 * @param token the fencing token, if the backend has one
	 * @throws IOException if the journal cannot be written
	 */
	public void enter(String holder, OptionalLong token) throws IOException {
		append("ENTER", holder, token);
	}

	/**
	 * Record that {@code holder} left its critical section.
	 * @param holder who left
	 * @param token the fencing token, if the backend has one
	 * @throws IOException if the journal cannot be written
	 */
	public void exit(String holder, OptionalLong token) throws IOException {
		append("EXIT", holder, token);
	}

	private void append(String kind, String holder, OptionalLong token) throws IOException {
		String line = kind + " " + holder + (token.isPresent() ? " " + token.getAsLong() : "") + "\n";
		try (FileChannel out = FileChannel.open(this.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.APPEND)) {
			ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
			while (bytes.hasRemaining()) {
				out.write(bytes);
			}
		}
	}

	/**
	 * Read the journal and count what went wrong.
	 * @return the verdict
	 * @throws IOException if the journal cannot be read
	 */
	public Verdict verdict() throws IOException {
		List<String> lines = Files.exists(this.file) ? Files.readAllLines(this.file, StandardCharsets.UTF_8)
				: List.of();
		int entries = 0;
		int overlaps = 0;
		int tokenRegressions = 0;
		String inside = null;
		long lastToken = Long.MIN_VALUE;
		List<Long> tokens = new ArrayList<>();
		for (String line : lines) {
			String[] parts = line.split(" ");
			if (parts.length < 2) {
				continue;
			}
			if ("ENTER".equals(parts[0])) {
				entries++;
				if (inside != null) {
					overlaps++;
				}
				inside = parts[1];
				if (parts.length > 2) {
					long token = Long.parseLong(parts[2]);
					if (token <= lastToken) {
						tokenRegressions++;
					}
					lastToken = token;
					tokens.add(token);
				}
			}
			else if ("EXIT".equals(parts[0])) {
				if (!parts[1].equals(inside)) {
					overlaps++;
				}
				inside = null;
			}
		}
		return new Verdict(entries, overlaps, tokenRegressions, List.copyOf(tokens));
	}

	/**
	 * What the journal shows.
	 *
	 * @param entries number of critical sections entered
	 * @param overlaps number of times a second holder entered (or left) while another one
	 * was inside
	 * @param tokenRegressions number of times a fencing token did not grow strictly
	 * @param tokens the fencing tokens in journal order
	 */
	public record Verdict(int entries, int overlaps, int tokenRegressions, List<Long> tokens) {

	}

}
