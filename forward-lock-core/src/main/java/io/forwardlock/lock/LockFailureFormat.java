package io.forwardlock.lock;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * The one place that renders a {@link LockException} as text: its message, the details of
 * a start-up report and the numbered solutions. Everything that comes from outside this
 * process (a holder's host and application name, the text of an underlying error) is
 * escaped with {@link SafeText} here, so that no report shows a forged line.
 * <p>
 * The {@link LockSetting settings} that a {@link LockRemedy} asks to change are worded by
 * a {@link SettingWords}: {@link #IN_CODE} for plain Java applications, the starter's own
 * for its properties.
 */
public final class LockFailureFormat {

	/**
	 * Words each setting as the call that sets it.
	 */
	public static final SettingWords IN_CODE = LockSetting::inCode;

	private LockFailureFormat() {
	}

	/**
	 * The full text: type, summary and holder, the lock, the numbered solutions and the
	 * underlying error. {@link LockException#getMessage()} with {@link #IN_CODE}.
	 * @param failure the failure
	 * @param words how to name settings
	 * @return the text
	 */
	public static String message(LockException failure, SettingWords words) {
		StringBuilder sb = new StringBuilder();
		sb.append(reason(failure));
		String holder = holder(failure);
		if (holder != null) {
			sb.append(" (").append(holder).append(")");
		}
		if (failure.getLocation() != null) {
			sb.append("\nLock: ").append(failure.getLocation());
		}
		String solutions = solutions(failure, words);
		if (!solutions.isEmpty()) {
			sb.append("\n\nPossible solutions:\n").append(solutions);
		}
		String underlying = underlying(failure);
		if (underlying != null) {
			sb.append("\n\nUnderlying error: ").append(underlying);
		}
		return sb.toString();
	}

	/**
	 * The facts as aligned lines ({@code Reason:}, {@code Holder:}, {@code Lock:},
	 * {@code Underlying error:}), each with the given indent, as a start-up report shows
	 * them.
	 * @param failure the failure
	 * @param indent what each line starts with
	 * @return the lines, joined by line feeds
	 */
	public static String details(LockException failure, String indent) {
		List<String> lines = new ArrayList<>();
		lines.add("Reason: " + reason(failure));
		String holder = holder(failure);
		if (holder != null) {
			lines.add("Holder: " + holder);
		}
		if (failure.getLocation() != null) {
			lines.add("Lock:   " + failure.getLocation());
		}
		String underlying = underlying(failure);
		if (underlying != null) {
			lines.add("Underlying error: " + underlying);
		}
		return lines.stream().map((line) -> indent + line).collect(Collectors.joining("\n"));
	}

	/**
	 * The solutions as a numbered list, or an empty string when there are none.
	 * @param failure the failure
	 * @param words how to name settings
	 * @return the numbered solutions
	 */
	public static String solutions(LockException failure, SettingWords words) {
		List<LockRemedy> remedies = failure.getRemedies();
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < remedies.size(); i++) {
			if (i > 0) {
				sb.append('\n');
			}
			sb.append("  ").append(i + 1).append(". ").append(remedy(remedies.get(i), words));
		}
		return sb.toString();
	}

	/**
	 * One solution in words: its text and, after a colon, the settings to change.
	 * @param remedy the remedy
	 * @param words how to name settings
	 * @return the solution
	 */
	public static String remedy(LockRemedy remedy, SettingWords words) {
		if (remedy.changes().isEmpty()) {
			return remedy.text();
		}
		List<String> named = remedy.changes()
			.stream()
			.map((change) -> words.name(change.setting(), change.value()))
			.toList();
		if (remedy.changes().stream().allMatch((change) -> change.value() == null)) {
			// settings named only, as a reference after the advice
			return remedy.text() + " (" + String.join(", ", named) + ")";
		}
		return remedy.text() + ": " + String.join(" or ", named);
	}

	private static String reason(LockException failure) {
		return failure.getType() + ": " + failure.getSummary();
	}

	private static @Nullable String holder(LockException failure) {
		HolderRecord holder = failure.getHolder();
		if (holder == null || (!holder.hasPid() && holder.hostname() == null)) {
			return null;
		}
		// host and application name come from a holder file or a database row
		return SafeText.escape(holder.describe());
	}

	private static @Nullable String underlying(LockException failure) {
		Throwable cause = failure.getCause();
		// a failure that wraps another lock failure (retries exhausted) has nothing more
		// to say than that one's facts, which it keeps
		if (cause == null || cause instanceof LockException) {
			return null;
		}
		return SafeText.escape(cause.toString());
	}

	/**
	 * Names a {@link LockSetting} in the terms of one kind of application.
	 */
	@FunctionalInterface
	public interface SettingWords {

		/**
		 * Name a setting.
		 * @param setting the setting
		 * @param value the value to set it to, or {@code null} to name it only
		 * @return the words, such as {@code LockRequest.named("billing")}
		 */
		String name(LockSetting setting, @Nullable String value);

	}

}
