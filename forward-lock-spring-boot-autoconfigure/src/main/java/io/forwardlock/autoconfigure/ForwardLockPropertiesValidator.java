package io.forwardlock.autoconfigure;

import java.time.Duration;

import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.jdbc.JdbcLockBackend;
import org.jspecify.annotations.Nullable;

import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Checks {@link ForwardLockProperties} when they are bound, so that a bad value fails
 * start-up with a message that says what to use instead. The rules that the core checks
 * as well (the lock name, the heartbeat against the stale timeout) use the core's rule
 * and defaults, so that both always agree.
 */
final class ForwardLockPropertiesValidator implements Validator {

	@Override
	public boolean supports(Class<?> type) {
		return ForwardLockProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		ForwardLockProperties properties = (ForwardLockProperties) target;
		// the examples are the defaults, read from where they are set
		ForwardLockProperties defaults = new ForwardLockProperties();
		if (properties.getName() != null && !LockRequest.isValidName(properties.getName())) {
			errors.rejectValue("name", "invalid",
					"must be " + LockRequest.NAME_RULE + ", for example 'billing-service'");
		}
		if (properties.getMaxRetries() < 0) {
			errors.rejectValue("maxRetries", "negative", "must be 0 or more; use 0 to give up after the first attempt");
		}
		rejectUnlessPositive(errors, "retryDelay", properties.getRetryDelay(), defaults.getRetryDelay());
		rejectUnlessPositive(errors, "staleTimeout", properties.getStaleTimeout(), defaults.getStaleTimeout());
		rejectUnlessPositive(errors, "verifyInterval", properties.getVerifyInterval(), defaults.getVerifyInterval());
		Duration interval = properties.getHeartbeat().getInterval();
		rejectUnlessPositive(errors, "heartbeat.interval", interval, defaults.getHeartbeat().getInterval());
		Duration staleTimeout = properties.getStaleTimeout();
		if (isPositive(interval) && isPositive(staleTimeout) && interval.multipliedBy(2).compareTo(staleTimeout) > 0) {
			errors.rejectValue("heartbeat.interval", "moreThanHalfOfStaleTimeout",
					"must be at most half of forward.lock.stale-timeout (" + format(staleTimeout) + "), for example "
							+ format(staleTimeout.dividedBy(3)) + ", or raise forward.lock.stale-timeout to at least "
							+ format(interval.multipliedBy(2)));
		}
		try {
			JdbcLockBackend.validateTableName(properties.getJdbc().getTableName());
		}
		catch (IllegalArgumentException ex) {
			errors.rejectValue("jdbc.tableName", "invalid",
					"must be a plain SQL identifier of letters, digits and '_' (at most 63, not starting with a digit), "
							+ "optionally qualified by a schema, for example " + defaults.getJdbc().getTableName()
							+ " or locks." + defaults.getJdbc().getTableName());
		}
		rejectUnlessExitCode(errors, "exitCode", properties.getExitCode(), defaults.getExitCode());
		rejectUnlessExitCode(errors, "lostExitCode", properties.getLostExitCode(), defaults.getLostExitCode());
		rejectUnlessDirectoryMode(errors, properties.getDirMode());
	}

	private static void rejectUnlessDirectoryMode(Errors errors, @Nullable String value) {
		try {
			LockRequest.parseDirectoryMode(value);
		}
		catch (IllegalArgumentException ex) {
			errors.rejectValue("dirMode", "invalid", ex.getMessage() + "; for example forward.lock.dir-mode=0750");
		}
	}

	private static String format(Duration duration) {
		return (duration.toMillis() % 1000 == 0) ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
	}

	private static void rejectUnlessPositive(Errors errors, String field, @Nullable Duration value, Duration example) {
		if (!isPositive(value)) {
			errors.rejectValue(field, "notPositive", "must be a positive duration, for example " + format(example));
		}
	}

	private static boolean isPositive(@Nullable Duration value) {
		return value != null && !value.isNegative() && !value.isZero();
	}

	private static void rejectUnlessExitCode(Errors errors, String field, int value, int example) {
		if (value < 1 || value > 255) {
			errors.rejectValue(field, "outOfRange",
					"must be an exit status from 1 to 255, for example " + example + " (0 would mean success)");
		}
	}

}
