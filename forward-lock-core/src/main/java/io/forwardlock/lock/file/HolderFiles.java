package io.forwardlock.lock.file;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.regex.Pattern;

import io.forwardlock.lock.HolderRecord;

/**
 * Format of what a holder leaves for others to read: the lock file holds the PID in
 * decimal on one line (so that {@code cat}, {@code ps -p $(cat ...)} and
 * {@code kill $(cat ...)} work), and a sibling {@code <name>.lock.holder} file holds the
 * full {@link HolderRecord} as properties, replaced atomically.
 */
final class HolderFiles {

	/**
	 * Largest file read back; anything longer is not ours.
	 */
	static final int MAX_READ = 16 * 1024;

	private static final Pattern DECIMAL_PID = Pattern.compile("[0-9]{1,18}");

	private HolderFiles() {
	}

	/**
	 * Lock file content for a PID.
	 * @param pid the PID
	 * @return the bytes: the PID in decimal and a newline
	 */
	static byte[] pidContent(long pid) {
		return (pid + "\n").getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * Parse a lock file's content. Tolerates one trailing newline (LF or CRLF) and
	 * surrounding blanks; anything else that is not a positive decimal PID is invalid.
	 * @param content the bytes read
	 * @return the PID, or empty when the content is not a valid PID
	 */
	static OptionalLong parsePid(byte[] content) {
		if (content == null || content.length == 0 || content.length > 64) {
			return OptionalLong.empty();
		}
		String text = new String(content, StandardCharsets.US_ASCII).strip();
		if (!DECIMAL_PID.matcher(text).matches()) {
			return OptionalLong.empty();
		}
		long pid = Long.parseLong(text);
		return (pid > 0) ? OptionalLong.of(pid) : OptionalLong.empty();
	}

	/**
	 * Read up to {@link #MAX_READ} bytes of a channel from its start, without moving its
	 * position.
	 * @param channel the channel
	 * @return the bytes read
	 * @throws IOException on failure
	 */
	static byte[] readStart(FileChannel channel) throws IOException {
		ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(MAX_READ, Math.max(0, channel.size())));
		long position = 0;
		while (buffer.hasRemaining()) {
			int read = channel.read(buffer, position);
			if (read < 0) {
				break;
			}
			position += read;
		}
		byte[] bytes = new byte[buffer.position()];
		buffer.flip().get(bytes);
		return bytes;
	}

	/**
	 * Serialize a holder record.
	 * @param record the record
	 * @return the properties bytes
	 */
	static byte[] format(HolderRecord record) {
		StringBuilder sb = new StringBuilder(
				"# forward-lock holder record; the OS lock on the .lock file decides who " + "holds the lock\n");
		append(sb, "pid", String.valueOf(record.pid()));
		append(sb, "hostname", record.hostname());
		append(sb, "processStartedAt", record.processStartedAt());
		append(sb, "acquiredAt", record.acquiredAt());
		append(sb, "applicationName", record.applicationName());
		append(sb, "instanceId", record.instanceId());
		return sb.toString().getBytes(StandardCharsets.UTF_8);
	}

	private static void append(StringBuilder sb, String key, Object value) {
		if (value == null) {
			return;
		}
		sb.append(key).append('=');
		for (char c : value.toString().toCharArray()) {
			switch (c) {
				case '\\' -> sb.append("\\\\");
				case '\n' -> sb.append("\\n");
				case '\r' -> sb.append("\\r");
				default -> sb.append(c);
			}
		}
		sb.append('\n');
	}

	/**
	 * Parse a holder record written by {@link #format(HolderRecord)}; lenient, because
	 * the file may have been written by another version or tampered with.
	 * @param content the bytes
	 * @return the record, or empty when it has no valid PID
	 */
	static Optional<HolderRecord> parse(byte[] content) {
		Properties properties = new Properties();
		try {
			properties.load(new StringReader(new String(content, StandardCharsets.UTF_8)));
		}
		catch (IOException | IllegalArgumentException ex) {
			return Optional.empty();
		}
		OptionalLong pid = parsePid(properties.getProperty("pid", "").getBytes(StandardCharsets.US_ASCII));
		if (pid.isEmpty()) {
			return Optional.empty();
		}
		return Optional.of(new HolderRecord(pid.getAsLong(), properties.getProperty("hostname"),
				instant(properties.getProperty("processStartedAt")), instant(properties.getProperty("acquiredAt")),
				properties.getProperty("applicationName"), properties.getProperty("instanceId")));
	}

	private static Instant instant(String text) {
		if (text == null) {
			return null;
		}
		try {
			return Instant.parse(text.strip());
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	/**
	 * Read the holder record file of a lock, if it is a safe regular file. Never call
	 * this for a lock file: it opens (and closes) a descriptor.
	 * @param holderFile the sibling holder file
	 * @return the record, or empty when absent, unsafe or unreadable
	 */
	static Optional<HolderRecord> read(Path holderFile) {
		return readBytes(holderFile).flatMap(HolderFiles::parse);
	}

	/**
	 * Read the raw content of the holder record file of a lock, if it is a safe regular
	 * file. Never call this for a lock file: it opens (and closes) a descriptor.
	 * @param holderFile the sibling holder file
	 * @return the content (at most {@link #MAX_READ} bytes), or empty when absent, unsafe
	 * or unreadable
	 */
	static Optional<byte[]> readBytes(Path holderFile) {
		try {
			LockFiles.FileFacts facts = LockFiles.lstat(holderFile);
			if (facts == null || facts.problem() != null) {
				return Optional.empty();
			}
			try (FileChannel channel = FileChannel.open(holderFile, StandardOpenOption.READ,
					LinkOption.NOFOLLOW_LINKS)) {
				return Optional.of(readStart(channel));
			}
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	/**
	 * Combine what the lock file says (authoritative PID of whoever wrote last) with the
	 * richer sibling record, which is used only when it names the same PID.
	 * @param pid the PID read from the lock file, if valid
	 * @param sibling the sibling record, if any
	 * @return the best holder record
	 */
	static HolderRecord merge(OptionalLong pid, Optional<HolderRecord> sibling) {
		if (pid.isPresent()) {
			return sibling.filter((r) -> r.pid() == pid.getAsLong()).orElse(HolderRecord.ofPid(pid.getAsLong()));
		}
		return sibling.orElse(HolderRecord.unknown());
	}

}
