package io.forwardlock.lock;

import org.jspecify.annotations.Nullable;

/**
 * Makes text that comes from outside this process (a holder file, a database row, the
 * environment) safe to print: a line feed could forge a log line, and an ANSI escape
 * sequence could rewrite what a terminal shows. Control characters, the Unicode line and
 * paragraph separators and the bidirectional overrides become visible escapes such as
 * {@code \n}, {@code \e} or a backslash, {@code u} and four hex digits (for U+202E).
 * Everything else, including letters of any script and backslashes, is kept, so that
 * escaping is idempotent and Windows paths stay readable: text that merely looks like an
 * escape cannot break a line or move the cursor.
 */
public final class SafeText {

	private SafeText() {
	}

	/**
	 * Escape the characters that could change how printed text looks.
	 * @param text the untrusted text, may be {@code null}
	 * @return the text with those characters escaped, or {@code null} for {@code null}
	 */
	public static @Nullable String escape(@Nullable String text) {
		if (text == null || isClean(text)) {
			return text;
		}
		StringBuilder sb = new StringBuilder(text.length() + 16);
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '\n' -> sb.append("\\n");
				case '\r' -> sb.append("\\r");
				case '\t' -> sb.append("\\t");
				case '\u001b' -> sb.append("\\e");
				default -> {
					if (isUnsafe(c)) {
						sb.append(String.format("\\u%04x", (int) c));
					}
					else {
						sb.append(c);
					}
				}
			}
		}
		return sb.toString();
	}

	/**
	 * Whether the text has nothing that {@link #escape(String)} would change.
	 * @param text the text
	 * @return {@code true} if it is safe to print as it is
	 */
	public static boolean isClean(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (isUnsafe(c)) {
				return false;
			}
		}
		return true;
	}

	private static boolean isUnsafe(char c) {
		// C0 controls and DEL, C1 controls (0x9b is a one-byte CSI on some terminals)
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
			return true;
		}
		// line and paragraph separators, bidirectional embeddings, overrides and isolates
		return c == '\u2028' || c == '\u2029' || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
				|| c == '\u200e' || c == '\u200f' || c == '\u061c';
	}

}
