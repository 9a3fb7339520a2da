package io.forwardlock.diagnostics;

import java.util.Locale;

import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockFailureFormat;
import io.forwardlock.lock.LockFailureFormat.SettingWords;
import io.forwardlock.lock.LockSetting;
import org.jspecify.annotations.Nullable;

/**
 * Names each {@link LockSetting} of the core as the starter's property and its
 * environment variable, such as {@code forward.lock.standby=true
 * (FORWARD_LOCK_STANDBY=true)}, so that a lock failure in a Spring Boot application says
 * what to configure.
 */
public final class PropertyWords implements SettingWords {

	/**
	 * The shared instance.
	 */
	public static final PropertyWords INSTANCE = new PropertyWords();

	private PropertyWords() {
	}

	/**
	 * A lock failure's full message with the solutions in property terms.
	 * @param failure the failure
	 * @return the message
	 */
	public static String message(LockException failure) {
		return LockFailureFormat.message(failure, INSTANCE);
	}

	@Override
	public String name(LockSetting setting, @Nullable String value) {
		String property = property(setting);
		if (value == null) {
			return property;
		}
		return property + "=" + value + " (" + environmentVariable(property) + "=" + value + ")";
	}

	/**
	 * The property that sets a setting.
	 * @param setting the setting
	 * @return the property, such as {@code forward.lock.stale-timeout}
	 */
	public static String property(LockSetting setting) {
		return "forward.lock." + switch (setting) {
			case NAME -> "name";
			case DIRECTORY -> "dir";
			case STANDBY -> "standby";
			case MAX_RETRIES -> "max-retries";
			case RETRY_DELAY -> "retry-delay";
			case STALE_TIMEOUT -> "stale-timeout";
			case HEARTBEAT_INTERVAL -> "heartbeat.interval";
			case BACKEND -> "backend";
			case JDBC_TABLE_NAME -> "jdbc.table-name";
			case JDBC_INITIALIZE_SCHEMA -> "jdbc.initialize-schema";
			case JDBC_ALLOW_IN_MEMORY_DATABASE -> "jdbc.allow-in-memory-database";
		};
	}

	private static String environmentVariable(String property) {
		return property.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
	}

}
