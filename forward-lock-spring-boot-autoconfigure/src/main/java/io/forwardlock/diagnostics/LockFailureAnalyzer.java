package io.forwardlock.diagnostics;

import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link LockException} into Boot's "APPLICATION FAILED TO START" report: the
 * description says who holds the lock and where the lock is, the action lists the
 * possible solutions, numbered. Boot prints only this report, so an expected refusal
 * shows no stack trace.
 */
class LockFailureAnalyzer extends AbstractFailureAnalyzer<LockException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, LockException cause) {
		return new FailureAnalysis(describe(cause), action(cause), cause);
	}

	private String describe(LockException ex) {
		StringBuilder sb = new StringBuilder();
		sb.append(headline(ex.getType())).append("\n\n");
		sb.append("    Reason: ").append(ex.getType()).append(": ").append(ex.getSummary()).append('\n');
		if (ex.getHolder() != null && (ex.getHolder().hasPid() || ex.getHolder().hostname() != null)) {
			sb.append("    Holder: ").append(ex.getHolder().describe()).append('\n');
		}
		if (ex.getLockPath() != null) {
			sb.append("    Lock:   ").append(ex.getLockPath()).append('\n');
		}
		Throwable underlying = (ex.getCause() instanceof LockException) ? null : ex.getCause();
		if (underlying != null) {
			sb.append("    Underlying error: ").append(underlying).append('\n');
		}
		return sb.toString().stripTrailing();
	}

	private String headline(LockErrorType type) {
		return switch (type) {
			case INSTANCE_RUNNING, MAX_RETRIES_EXCEEDED, LOCK_FILE_EXISTS ->
				"This instance did not start because another instance holds the instance lock.";
			case LOCK_LOST -> "This instance lost the instance lock.";
			default -> "This instance did not start because the instance lock could not be acquired.";
		};
	}

	private String action(LockException ex) {
		String help = ex.getNumberedHelp();
		if (help.isEmpty()) {
			return "Check the lock settings under 'forward.lock' and the lock location.";
		}
		return "Possible solutions:\n" + help;
	}

}
