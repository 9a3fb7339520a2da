package io.forwardlock.lifecycle;

import java.util.Objects;
import java.util.function.IntConsumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;

/**
 * {@link LockLostHandler} for {@code on-lost=shutdown}: closes the application context
 * and exits the JVM with the configured status. Runs on a thread of its own, because
 * closing the context stops the lifecycle whose scheduler thread reports the loss.
 */
public class ShutdownOnLockLost implements LockLostHandler {

	private static final Log logger = LogFactory.getLog(ShutdownOnLockLost.class);

	private final ApplicationContext context;

	private final int exitCode;

	private final IntConsumer systemExit;

	/**
	 * Create a handler that exits the JVM.
	 * @param context the application context to close
	 * @param exitCode exit status ({@code forward.lock.lost-exit-code})
	 */
	public ShutdownOnLockLost(ApplicationContext context, int exitCode) {
		this(context, exitCode, System::exit);
	}

	/**
	 * Create a handler with its own way to end the process, for a launcher that must not
	 * call {@link System#exit(int)} itself (a test harness, an embedding container).
	 * @param context the application context to close
	 * @param exitCode exit status
	 * @param systemExit called with the final exit status after the context closed
	 */
	public ShutdownOnLockLost(ApplicationContext context, int exitCode, IntConsumer systemExit) {
		this.context = Objects.requireNonNull(context, "'context' must not be null");
		this.exitCode = exitCode;
		this.systemExit = Objects.requireNonNull(systemExit, "'systemExit' must not be null");
	}

	@Override
	public void lockLost(LockLostEvent event) {
		logger.error("Shutting down because lock '" + event.getLockName() + "' was lost; exit status " + this.exitCode);
		Thread shutdown = new Thread(this::exit, "forward-lock-lost-shutdown");
		shutdown.setDaemon(false);
		shutdown.start();
	}

	private void exit() {
		int status = SpringApplication.exit(this.context, () -> this.exitCode);
		this.systemExit.accept((status != 0) ? status : this.exitCode);
	}

}
