package io.forwardlock.lock.zookeeper;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.forwardlock.lock.HolderRecord;

/**
 * Holder record as stored in the data of a lock node: {@code key=value} lines in UTF-8,
 * plus the id of the attempt that created the node, so that an attempt can recognise its
 * own node after a create whose answer was lost.
 * <p>
 * The data of a node can be written by anyone with access to the ensemble, so decoding
 * trusts nothing: unknown keys are ignored, numbers and times that do not parse are left
 * unknown, and control characters are replaced before any value can reach a log line or a
 * terminal.
 */
final class HolderData {

	/**
	 * Longest data read; a lock node written by this backend is far smaller.
	 */
	static final int MAX_BYTES = 4096;

	private static final int MAX_VALUE = 255;

	private final HolderRecord record;

	private final @Nullable String attemptId;

	HolderData(HolderRecord record, @Nullable String attemptId) {
		this.record = record;
		this.attemptId = attemptId;
	}

	HolderRecord record() {
		return this.record;
	}

	@Nullable String attemptId() {
		return this.attemptId;
	}

	byte[] encode() {
		StringBuilder sb = new StringBuilder();
		line(sb, "pid", (this.record.pid() > 0) ? Long.toString(this.record.pid()) : null);
		line(sb, "host", this.record.hostname());
		line(sb, "started",
				(this.record.processStartedAt() != null) ? this.record.processStartedAt().toString() : null);
		line(sb, "acquired", (this.record.acquiredAt() != null) ? this.record.acquiredAt().toString() : null);
		line(sb, "application", this.record.applicationName());
		line(sb, "instance", this.record.instanceId());
		line(sb, "attempt", this.attemptId);
		return sb.toString().getBytes(StandardCharsets.UTF_8);
	}

	private static void line(StringBuilder sb, String key, @Nullable String value) {
		if (value != null) {
			sb.append(key).append('=').append(clean(value)).append('\n');
		}
	}

	/**
	 * Decode node data; never fails.
	 * @param data the data, may be {@code null}
	 * @return the holder data, with unknown fields where the data says nothing usable
	 */
	static HolderData decode(byte @Nullable [] data) {
		if (data == null || data.length == 0) {
			return new HolderData(HolderRecord.unknown(), null);
		}
		int length = Math.min(data.length, MAX_BYTES);
		String text = new String(data, 0, length, StandardCharsets.UTF_8);
		Map<String, String> values = new HashMap<>();
		for (String line : text.split("\n")) {
			int equals = line.indexOf('=');
			if (equals > 0) {
				values.putIfAbsent(line.substring(0, equals).trim(), clean(line.substring(equals + 1)));
			}
		}
		HolderRecord record = new HolderRecord(number(values.get("pid")), values.get("host"),
				instant(values.get("started")), instant(values.get("acquired")), values.get("application"),
				values.get("instance"));
		return new HolderData(record, values.get("attempt"));
	}

	/**
	 * Make untrusted text safe to print on one line: control characters (including escape
	 * sequences and line breaks) become {@code ?}, and the length is capped.
	 * @param value the text
	 * @return the safe text, or {@code null} for {@code null} or blank text
	 */
	static @Nullable String clean(@Nullable String value) {
		if (value == null || value.isBlank()) {
			return null;
		}
		StringBuilder sb = new StringBuilder(Math.min(value.length(), MAX_VALUE));
		value.codePoints().limit(MAX_VALUE).forEach((cp) -> {
			if (Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029
					|| Character.getType(cp) == Character.FORMAT) {
				sb.append('?');
			}
			else {
				sb.appendCodePoint(cp);
			}
		});
		return sb.toString().trim();
	}

	private static long number(@Nullable String value) {
		if (value == null) {
			return -1;
		}
		try {
			long pid = Long.parseLong(value);
			return (pid > 0) ? pid : -1;
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	private static @Nullable Instant instant(@Nullable String value) {
		if (value == null) {
			return null;
		}
		try {
			return Instant.parse(value);
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

}
