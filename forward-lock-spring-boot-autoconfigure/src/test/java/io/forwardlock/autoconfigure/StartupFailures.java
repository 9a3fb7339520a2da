package io.forwardlock.autoconfigure;

import org.springframework.core.NestedExceptionUtils;

/**
 * Finds the interesting exception in a failed context start-up.
 */
final class StartupFailures {

	private StartupFailures() {
	}

	static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
		Throwable candidate = failure;
		while (candidate != null) {
			if (type.isInstance(candidate)) {
				return type.cast(candidate);
			}
			candidate = candidate.getCause();
		}
		throw new AssertionError(
				"No " + type.getSimpleName() + " in " + NestedExceptionUtils.getMostSpecificCause(failure), failure);
	}

}
