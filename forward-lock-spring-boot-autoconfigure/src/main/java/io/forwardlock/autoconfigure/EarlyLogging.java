package io.forwardlock.autoconfigure;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ApplicationListener;

/**
 * Lets Boot initialize logging for an application a little earlier than its own listener
 * order would, for {@link EarlyLockProbe} and {@link EarlyLockGuard}: both run right
 * before Boot's {@link LoggingApplicationListener}, and so before Boot's background
 * preinitializer, which starts right after logging (a thread that loads Jackson, Tomcat
 * and the message converters: a failed start-up waits for it to finish, and a cold
 * standby would keep what it loaded while it waits). No listener order falls between the
 * two: their orders are one apart, and which of two listeners with the same order runs
 * first depends on the order of the jars on the class path.
 * <p>
 * So, before they log, refuse or wait, they hand the very event to the application's own
 * {@code LoggingApplicationListener}, which initializes logging exactly as configured.
 * When a refusal ends the event, the logging listener is not called for it again. When
 * the application goes on, the listener is called again in its turn; Boot's logging
 * systems recognize a logging context they already initialized and leave it as it is.
 */
final class EarlyLogging {

	private EarlyLogging() {
	}

	/**
	 * Initialize logging for the application of an event, through the application's
	 * {@code LoggingApplicationListener}, if that listener comes after the given order
	 * (and so has not run yet). Where it does not (it ran already, or the application has
	 * none), nothing happens.
	 * @param event the event being published
	 * @param order the order of the caller
	 */
	static void initialize(ApplicationEnvironmentPreparedEvent event, int order) {
		for (ApplicationListener<?> listener : event.getSpringApplication().getListeners()) {
			if (listener instanceof LoggingApplicationListener logging && logging.getOrder() > order) {
				logging.onApplicationEvent(event);
				return;
			}
		}
	}

}
