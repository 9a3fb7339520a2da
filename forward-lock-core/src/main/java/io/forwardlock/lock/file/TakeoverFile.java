package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * What {@code NAME.lock.takeover} holds: the PID of the last process that used it and the
 * last fencing token issued for the lock ({@code PID\nfencing-token=N\n}). It is read and
 * written only through the channel that holds its OS lock, so that two processes never
 * issue tokens at the same time.
 * <p>
 * A new token is the larger of the last token plus one and the wall clock in microseconds
 * since the epoch. The last token makes tokens strictly increase while the file lives,
 * whatever the clock does; the clock makes them keep increasing when the file is lost (a
 * tmp cleaner, a reboot that empties {@code /run}), as long as it has not been stepped
 * back by more than the time since the last acquisition.
 */
final class TakeoverFile {

	private static final String TOKEN_KEY = "fencing-token=";

	private final FileChannel channel;

	private final OptionalLong lastToken;

	private TakeoverFile(FileChannel channel, OptionalLong lastToken) {
		this.channel = channel;
		this.lastToken = lastToken;
	}

	/**
	 * Read the file through the channel that holds its lock.
	 * @param channel the locked channel
	 * @return the file's content
	 * @throws IOException on failure
	 */
	static TakeoverFile read(FileChannel channel) throws IOException {
		return new TakeoverFile(channel, parseToken(HolderFiles.readStart(channel)));
	}

	/**
	 * The last token in a content; empty when there is none or it is damaged.
	 * @param content the bytes of the file
	 * @return the last token issued
	 */
	static OptionalLong parseToken(byte[] content) {
		for (String line : new String(content, StandardCharsets.US_ASCII).split("\n")) {
			String text = line.strip();
			if (text.startsWith(TOKEN_KEY)) {
				try {
					long token = Long.parseLong(text.substring(TOKEN_KEY.length()));
					return (token > 0) ? OptionalLong.of(token) : OptionalLong.empty();
				}
				catch (NumberFormatException ex) {
					return OptionalLong.empty();
				}
			}
		}
		return OptionalLong.empty();
	}

	/**
	 * Write this process's PID and keep the last token. The write also refreshes the
	 * modification time, so that age-based cleaners such as systemd-tmpfiles leave the
	 * file alone.
	 * @throws IOException on failure
	 */
	void touch() throws IOException {
		write(this.lastToken);
	}

	/**
	 * Issue the next token and write it with this process's PID.
	 * @return the token
	 * @throws IOException on failure; the token is then not issued
	 */
	long issueToken() throws IOException {
		long now = wallClockMicros();
		long last = this.lastToken.orElse(0);
		// a token at the very end of the range can only have been planted: start from
		// the clock again rather than overflow
		long token = (last < Long.MAX_VALUE) ? Math.max(last + 1, now) : now;
		write(OptionalLong.of(token));
		return token;
	}

	private void write(OptionalLong token) throws IOException {
		String pidLine = new String(HolderFiles.pidContent(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
		String tokenLine = token.isPresent() ? TOKEN_KEY + token.getAsLong() + "\n" : "";
		LockAttempts.replaceContent(this.channel, (pidLine + tokenLine).getBytes(StandardCharsets.US_ASCII));
	}

	/**
	 * The wall clock in microseconds since the epoch, from which a token starts when the
	 * last one is lost.
	 * @return the microseconds
	 */
	static long wallClockMicros() {
		Instant now = Instant.now();
		return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
	}

}
