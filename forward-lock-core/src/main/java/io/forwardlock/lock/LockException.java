package io.forwardlock.lock;

import java.util.List;
import java.util.Objects;

/**
 * Failure to acquire, keep or release a lock, with what an operator needs to fix it: the
 * {@link LockErrorType type}, the holder when known, the lock location, and numbered
 * "Possible solutions".
 * <p>
 * {@link #getMessage()} renders all of it. {@link #getSummary()} is the one-line form.
 * The help never advises deleting a lock file that a live process holds.
 */
public class LockException extends RuntimeException {

	private final LockErrorType type;

	private final String summary;

	private final transient HolderRecord holder;

	private final String lockPath;

	private final List<String> help;

	/**
	 * Create a new instance.
	 * @param type the error type
	 * @param summary one-line description of what went wrong
	 * @param holder the holder of the lock, if known
	 * @param lockPath the lock location, if relevant
	 * @param help possible solutions, in order
	 * @param cause the underlying failure, may be {@code null}
	 */
	public LockException(LockErrorType type, String summary, HolderRecord holder, String lockPath, List<String> help,
			Throwable cause) {
		super(render(type, summary, holder, SafeText.escape(lockPath), escape(help), cause), cause);
		this.type = Objects.requireNonNull(type, "'type' must not be null");
		this.summary = summary;
		this.holder = holder;
		// paths and help lines may carry text from the environment or a file: escaped
		// once here, so that no log line or terminal shows a forged line
		this.lockPath = SafeText.escape(lockPath);
		this.help = escape(help);
	}

	/**
	 * Error type.
	 * @return the type
	 */
	public LockErrorType getType() {
		return this.type;
	}

	/**
	 * One-line description, without holder, path or help.
	 * @return the summary
	 */
	public String getSummary() {
		return this.summary;
	}

	/**
	 * Holder of the lock, when known.
	 * @return the holder or {@code null}
	 */
	public HolderRecord getHolder() {
		return this.holder;
	}

	/**
	 * PID of the holder when known.
	 * @return the PID, or {@code -1}
	 */
	public long getPid() {
		return (this.holder != null) ? this.holder.pid() : -1;
	}

	/**
	 * Host of the holder when known.
	 * @return the host or {@code null}
	 */
	public String getHost() {
		return (this.holder != null) ? this.holder.hostname() : null;
	}

	/**
	 * Lock location (file path, table row), when relevant.
	 * @return the location or {@code null}
	 */
	public String getLockPath() {
		return this.lockPath;
	}

	/**
	 * Possible solutions, in the order to try them.
	 * @return the help lines, never {@code null}
	 */
	public List<String> getHelp() {
		return this.help;
	}

	/**
	 * Description without the help lines: type, summary, holder and location.
	 * @return the description
	 */
	public String getDescription() {
		StringBuilder sb = new StringBuilder();
		sb.append(this.type).append(": ").append(this.summary);
		if (this.holder != null && (this.holder.hasPid() || this.holder.hostname() != null)) {
			sb.append(" (").append(this.holder.describe()).append(")");
		}
		if (this.lockPath != null) {
			sb.append("\nLock: ").append(this.lockPath);
		}
		return sb.toString();
	}

	/**
	 * The help lines rendered as a numbered list, or an empty string.
	 * @return the numbered help
	 */
	public String getNumberedHelp() {
		return numbered(this.help);
	}

	private static List<String> escape(List<String> lines) {
		return (lines != null) ? lines.stream().map(SafeText::escape).toList() : List.of();
	}

	private static String render(LockErrorType type, String summary, HolderRecord holder, String lockPath,
			List<String> help, Throwable cause) {
		StringBuilder sb = new StringBuilder();
		sb.append(type).append(": ").append(summary);
		if (holder != null && (holder.hasPid() || holder.hostname() != null)) {
			sb.append(" (").append(holder.describe()).append(")");
		}
		if (lockPath != null) {
			sb.append("\nLock: ").append(lockPath);
		}
		if (help != null && !help.isEmpty()) {
			sb.append("\n\nPossible solutions:\n").append(numbered(help));
		}
		if (cause != null) {
			sb.append("\n\nUnderlying error: ").append(SafeText.escape(cause.toString()));
		}
		return sb.toString();
	}

	private static String numbered(List<String> help) {
		if (help == null || help.isEmpty()) {
			return "";
		}
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < help.size(); i++) {
			if (i > 0) {
				sb.append('\n');
			}
			sb.append("  ").append(i + 1).append(". ").append(help.get(i));
		}
		return sb.toString();
	}

}
