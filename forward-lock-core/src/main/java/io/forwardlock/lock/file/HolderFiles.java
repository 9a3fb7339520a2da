package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockRequest;
import org.jspecify.annotations.Nullable;

/**
 * Format of what a holder leaves for others to read: the lock file holds the PID in
 * decimal on one line (so that {@code cat}, {@code ps -p $(cat ...)} and
 * {@code kill $(cat ...)} work), and a sibling {@code <name>.lock.holder} file holds the
 * full {@link HolderRecord} as properties, replaced atomically.
 */
final class HolderFiles {

	static final String HEARTBEAT = "heartbeat";

	static final String HEARTBEAT_INTERVAL = "heartbeatInterval";

	static final String STALE_TIMEOUT = "staleTimeout";

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
	static OptionalLong parsePid(byte @Nullable [] content) {
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
	 * Serialize a holder record of a holder that does not heartbeat.
	 * @param record the record
	 * @return the properties bytes
	 */
	static byte[] format(HolderRecord record) {
		return format(record, null);
	}

	/**
	 * Serialize a holder record with the holder's heartbeat declaration.
	 * @param record the record
	 * @param request the holder's request: whether it heartbeats, how often, and after
	 * how long without a heartbeat it may be taken over; {@code null} for a holder that
	 * does not heartbeat
	 * @return the properties bytes
	 */
	static byte[] format(HolderRecord record, @Nullable LockRequest request) {
		StringBuilder sb = new StringBuilder(
				"# forward-lock holder record; the OS lock on the .lock file decides who " + "holds the lock\n");
		append(sb, "pid", String.valueOf(record.pid()));
		append(sb, "hostname", record.hostname());
		append(sb, "processStartedAt", record.processStartedAt());
		append(sb, "acquiredAt", record.acquiredAt());
		append(sb, "applicationName", record.applicationName());
		append(sb, "instanceId", record.instanceId());
		// a contender judges staleness by these values, never by its own settings
		boolean heartbeat = request != null && request.heartbeatEnabled();
		append(sb, HEARTBEAT, String.valueOf(heartbeat));
		if (heartbeat) {
			append(sb, HEARTBEAT_INTERVAL, request.heartbeatInterval());
			append(sb, STALE_TIMEOUT, request.staleTimeout());
		}
		return sb.toString().getBytes(StandardCharsets.UTF_8);
	}

	private static void append(StringBuilder sb, String key, @Nullable Object value) {
		if (value == null) {
			return;
		}
		String text = value.toString();
		sb.append(key).append('=');
		if (text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
			sb.append(text);
		}
		else {
			// a record never holds a line break (HolderRecord escapes control
			// characters), so every line is one key and its value
			sb.append(text.replace('\n', ' ').replace('\r', ' '));
		}
		sb.append('\n');
	}

	/**
	 * Parse a holder record written by {@link #format(HolderRecord, LockRequest)};
	 * lenient, because the file may have been written by another version or tampered
	 * with.
	 * @param content the bytes
	 * @return the record, or empty when it has no valid PID
	 */
	static Optional<HolderRecord> parse(byte[] content) {
		return parseDeclared(content).map(Declared::holder);
	}

	/**
	 * Parse a holder record and its heartbeat declaration. Unlike
	 * {@link java.util.Properties}, nothing is unescaped: a backslash-u escape in the
	 * file stays six printable characters and can never become a control character.
	 * @param content the bytes
	 * @return the record and declaration, or empty when it has no valid PID
	 */
	static Optional<Declared> parseDeclared(byte[] content) {
		Map<String, String> values = new HashMap<>();
		for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
			int equals = line.indexOf('=');
			if (line.startsWith("#") || equals <= 0) {
				continue;
			}
			values.putIfAbsent(line.substring(0, equals).strip(), line.substring(equals + 1).strip());
		}
		OptionalLong pid = parsePid(values.getOrDefault("pid", "").getBytes(StandardCharsets.UTF_8));
		if (pid.isEmpty()) {
			return Optional.empty();
		}
		HolderRecord holder = new HolderRecord(pid.getAsLong(), values.get("hostname"),
				instant(values.get("processStartedAt")), instant(values.get("acquiredAt")),
				values.get("applicationName"), values.get("instanceId"));
		Duration interval = duration(values.get(HEARTBEAT_INTERVAL));
		Duration stale = duration(values.get(STALE_TIMEOUT));
		boolean heartbeat = "true".equals(values.get(HEARTBEAT)) && interval != null && stale != null;
		return Optional.of(new Declared(holder, heartbeat, heartbeat ? interval : null, heartbeat ? stale : null));
	}

	private static @Nullable Instant instant(@Nullable String text) {
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

	private static @Nullable Duration duration(@Nullable String text) {
		if (text == null) {
			return null;
		}
		try {
			Duration duration = Duration.parse(text.strip());
			return (duration.isNegative() || duration.isZero()) ? null : duration;
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	/**
	 * Read the holder record file of a lock with its heartbeat declaration.
	 * @param holderFile the sibling holder file
	 * @return the record and declaration, or empty when absent, unsafe or unreadable
	 */
	static Optional<Declared> readDeclared(Path holderFile) {
		return readBytes(holderFile).flatMap(HolderFiles::parseDeclared);
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
			return readIfPresent(holderFile);
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	/**
	 * Read the raw content of the holder record file of a lock, telling a missing file
	 * from one that is there but cannot be read. Never call this for a lock file: it
	 * opens (and closes) a descriptor.
	 * @param holderFile the sibling holder file
	 * @return the content (at most {@link #MAX_READ} bytes), or empty when nothing is at
	 * the path (a dangling symbolic link included)
	 * @throws IOException when something is there that cannot be read, or is not a safe
	 * regular file
	 */
	static Optional<byte[]> readIfPresent(Path holderFile) throws IOException {
		if (!mayExist(holderFile)) {
			return Optional.empty();
		}
		LockFiles.FileFacts facts = LockFiles.lstat(holderFile);
		if (facts == null) {
			return Optional.empty();
		}
		String problem = facts.problem();
		if (problem != null) {
			throw new IOException(holderFile + " " + problem);
		}
		try (FileChannel channel = openWithoutBlocking(holderFile)) {
			return Optional.of(readStart(channel));
		}
		catch (NoSuchFileException ex) {
			return Optional.empty();
		}
	}

	/**
	 * Whether something may be at a path, asked without an exception: after a clean
	 * release there is no holder record, and an absent file costs Java a
	 * {@link java.nio.file.NoSuchFileException} with its stack trace in
	 * {@link LockFiles#lstat(Path)}. This follows a symbolic link, so a dangling one
	 * counts as absent; what is there is judged by {@code lstat} afterwards.
	 * @param path the path
	 * @return {@code false} when nothing (or a dangling link) is at the path
	 */
	private static boolean mayExist(Path path) {
		return path.getFileSystem() != FileSystems.getDefault() || path.toFile().exists();
	}

	/**
	 * Open a file in the lock directory so that nothing planted there can block or
	 * redirect us: without following a symbolic link, and for reading and writing, which
	 * never waits for a FIFO's other end (read-only access would wait forever). A FIFO or
	 * socket slipped in after an {@code lstat} is still caught through the descriptor:
	 * {@link #readStart(FileChannel)} reads by position, which such files refuse at once.
	 * @param path the file
	 * @return the open channel
	 * @throws IOException on failure, also when the file is not ours to write
	 */
	static FileChannel openWithoutBlocking(Path path) throws IOException {
		return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
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

	/**
	 * A holder record with what the holder declared about its heartbeat.
	 *
	 * @param holder the record
	 * @param heartbeat whether the holder heartbeats; {@code false} also when the file
	 * says nothing valid about it (an older version, a damaged file)
	 * @param interval the declared heartbeat interval, {@code null} without heartbeat
	 * @param staleTimeout the declared stale timeout, {@code null} without heartbeat
	 */
	record Declared(HolderRecord holder, boolean heartbeat, @Nullable Duration interval,
			@Nullable Duration staleTimeout) {

	}

}
