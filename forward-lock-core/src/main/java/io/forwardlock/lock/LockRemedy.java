package io.forwardlock.lock;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * One possible solution of a {@link LockException}: what to do, in words that hold for
 * every application, and the {@link LockSetting settings} it asks to change, if any. The
 * settings stay facts, so that each integration can name them in its own terms
 * ({@link LockFailureFormat}).
 *
 * @param text what to do, without naming how a setting is configured
 * @param changes the settings to change, in order of preference; empty when none
 */
public record LockRemedy(String text, List<Change> changes) {

	/**
	 * Create a new instance.
	 * @param text what to do
	 * @param changes the settings to change
	 */
	public LockRemedy {
		Objects.requireNonNull(text, "'text' must not be null");
		changes = List.copyOf(changes);
	}

	/**
	 * A remedy that changes no setting.
	 * @param text what to do
	 * @return the remedy
	 */
	public static LockRemedy of(String text) {
		return new LockRemedy(text, List.of());
	}

	/**
	 * A remedy that sets a setting.
	 * @param text what to do
	 * @param setting the setting
	 * @param value the value, or {@code null} to name the setting only
	 * @return the remedy
	 */
	public static LockRemedy of(String text, LockSetting setting, @Nullable String value) {
		return new LockRemedy(text, List.of(new Change(setting, value)));
	}

	/**
	 * A remedy that changes one of several settings.
	 * @param text what to do
	 * @param changes the settings, in order of preference
	 * @return the remedy
	 */
	public static LockRemedy of(String text, Change... changes) {
		return new LockRemedy(text, List.of(changes));
	}

	/**
	 * A setting to change.
	 *
	 * @param setting the setting
	 * @param value the value to set, or {@code null} to name the setting only
	 */
	public record Change(LockSetting setting, @Nullable String value) {

		/**
		 * Create a new instance.
		 * @param setting the setting
		 * @param value the value, may be {@code null}
		 */
		public Change {
			Objects.requireNonNull(setting, "'setting' must not be null");
		}

		/**
		 * Name a setting without a value.
		 * @param setting the setting
		 * @return the change
		 */
		public static Change of(LockSetting setting) {
			return new Change(setting, null);
		}

		/**
		 * Set a setting to a value.
		 * @param setting the setting
		 * @param value the value
		 * @return the change
		 */
		public static Change to(LockSetting setting, String value) {
			return new Change(setting, value);
		}

	}

}
