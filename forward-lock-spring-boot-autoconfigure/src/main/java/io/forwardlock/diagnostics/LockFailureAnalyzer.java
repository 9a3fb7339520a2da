package io.forwardlock.diagnostics;

import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockFailureFormat;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link LockException} into Boot's "APPLICATION FAILED TO START" report: the
 * description says who holds the lock and where the lock is, the action lists the
 * possible solutions, numbered, with the settings to change named as properties
 * ({@link PropertyWords}). The text is rendered by the core's {@link LockFailureFormat},
 * which escapes whatever came from outside this process. Boot prints only this report, so
 * an expected refusal shows no stack trace.
 */
class LockFailureAnalyzer extends AbstractFailureAnalyzer<LockException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, LockException cause) {
		String description = headline(cause.getType()) + "\n\n" + LockFailureFormat.details(cause, "    ");
		return new FailureAnalysis(description, action(cause), cause);
	}

	private String headline(LockErrorType type) {
		return switch (type) {
			case INSTANCE_RUNNING, MAX_RETRIES_EXCEEDED ->
				"This instance did not start because another instance holds the instance lock.";
			case LOCK_LOST -> "This instance lost the instance lock.";
			case INVALID_CONFIGURATION ->
				"This instance did not start because the instance lock is set up in a way that cannot work.";
			default -> "This instance did not start because the instance lock could not be acquired.";
		};
	}

	private String action(LockException ex) {
		String solutions = LockFailureFormat.solutions(ex, PropertyWords.INSTANCE);
		if (solutions.isEmpty()) {
			return "Check the lock settings under 'forward.lock' and the lock location.";
		}
		return "Possible solutions:\n" + solutions;
	}

}
