package io.forwardlock.diagnostics;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.ExitCodeGenerator;

/**
 * A {@link LockException} that made the application fail to start, wrapped as its cause
 * together with the exit status the process should end with
 * ({@code forward.lock.exit-code}).
 * <p>
 * {@code SpringApplication} looks for an {@link ExitCodeGenerator} along the cause chain
 * of a start-up failure. Exception mapper beans would not do here: they are only
 * consulted while the context is active, and a refused context never becomes active.
 */
public class LockStartupException extends RuntimeException implements ExitCodeGenerator {

	private final LockException failure;

	private final int exitCode;

	/**
	 * Wrap a lock failure with the exit code to end the process with.
	 * @param failure the failure, kept as the cause
	 * @param exitCode the exit status
	 */
	public LockStartupException(LockException failure, int exitCode) {
		super(PropertyWords.message(failure), failure);
		this.failure = failure;
		this.exitCode = exitCode;
	}

	/**
	 * The lock failure that ended the start.
	 * @return the failure
	 */
	public LockException getFailure() {
		return this.failure;
	}

	/**
	 * Error type of the {@link #getFailure() failure}.
	 * @return the type
	 */
	public LockErrorType getType() {
		return this.failure.getType();
	}

	/**
	 * One-line summary of the {@link #getFailure() failure}.
	 * @return the summary
	 */
	public String getSummary() {
		return this.failure.getSummary();
	}

	/**
	 * Holder of the lock, when known.
	 * @return the holder or {@code null}
	 */
	public @Nullable HolderRecord getHolder() {
		return this.failure.getHolder();
	}

	@Override
	public int getExitCode() {
		return this.exitCode;
	}

}
