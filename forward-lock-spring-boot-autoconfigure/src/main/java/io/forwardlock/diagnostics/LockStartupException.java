package io.forwardlock.diagnostics;

import io.forwardlock.lock.LockException;

import org.springframework.boot.ExitCodeGenerator;

/**
 * A {@link LockException} that made the application fail to start, carrying the exit
 * status the process should end with ({@code forward.lock.exit-code}).
 * <p>
 * {@code SpringApplication} looks for an {@link ExitCodeGenerator} along the cause chain
 * of a start-up failure. Exception mapper beans would not do here: they are only
 * consulted while the context is active, and a refused context never becomes active.
 */
public class LockStartupException extends LockException implements ExitCodeGenerator {

	private final int exitCode;

	/**
	 * Wrap a lock failure with the exit code to end the process with.
	 * @param failure the failure, whose type, holder, location and help are kept
	 * @param exitCode the exit status
	 */
	public LockStartupException(LockException failure, int exitCode) {
		super(failure.getType(), failure.getSummary(), failure.getHolder(), failure.getLockPath(), failure.getHelp(),
				failure.getCause());
		this.exitCode = exitCode;
		setStackTrace(failure.getStackTrace());
	}

	@Override
	public int getExitCode() {
		return this.exitCode;
	}

}
