package io.forwardlock.autoconfigure;

import java.util.Arrays;

import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.builder.ParentContextApplicationContextInitializer;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * What the checks made before the application context exists work with: the bound
 * {@code forward.lock.*} settings, the request and the auto-configured file backend.
 * Shared by {@link EarlyLockProbe} and {@link EarlyLockGuard}.
 *
 * @param properties the bound settings
 * @param request the lock request
 * @param backend the file backend the context would auto-configure
 * @param events where a refusal is published
 */
record EarlyLockSetup(ForwardLockProperties properties, LockRequest request, FileLockBackend backend,
		EarlyLockEvents events) {

	/**
	 * The set-up for an application whose environment was just prepared, if the early
	 * checks apply to it: forward-lock is enabled and auto-configured, the backend is the
	 * file backend, the application has no parent context (which holds the lock for it),
	 * and no AOT processing runs.
	 * @param event the event
	 * @param logger where to say why nothing is checked early
	 * @return the set-up, or {@code null} when the early checks do not apply
	 */
	static @Nullable EarlyLockSetup of(ApplicationEnvironmentPreparedEvent event, Log logger) {
		ConfigurableEnvironment environment = event.getEnvironment();
		if (AotProcessing.isRunning() || !isGuarded(environment) || hasParent(event)) {
			return null;
		}
		ForwardLockProperties properties;
		try {
			properties = EarlyLockAcquisition.bind(environment);
		}
		catch (RuntimeException ex) {
			// The context binds them again and reports the mistake with its usual
			// analysis
			logger.debug("Not checking the instance lock early: the forward.lock settings do not bind", ex);
			return null;
		}
		if (properties.getBackend() != ForwardLockProperties.Backend.FILE) {
			return null;
		}
		LockRequest request = ForwardLockRequests.request(properties, environment);
		FileLockBackend backend = ForwardLockRequests.fileBackend(properties, request);
		EarlyLockEvents events = new EarlyLockEvents(event.getSpringApplication(),
				event.getSpringApplication().getListeners(), backend, request, properties);
		return new EarlyLockSetup(properties, request, backend, events);
	}

	/**
	 * Whether the probe applies: it is on, and the application neither waits on standby
	 * nor retries (both would wait for the holder instead of being refused).
	 * @return whether to probe
	 */
	boolean isProbed() {
		return this.properties.isEarlyProbe() && !this.properties.isStandby() && this.properties.getMaxRetries() == 0;
	}

	private static boolean isGuarded(ConfigurableEnvironment environment) {
		if (!DisabledForwardLockPostProcessor.isEnabled(environment)) {
			return false;
		}
		String[] excluded = environment.getProperty("spring.autoconfigure.exclude", String[].class, new String[0]);
		return Arrays.stream(excluded)
			.map(String::trim)
			.noneMatch(ForwardLockAutoConfiguration.class.getName()::equals);
	}

	private static boolean hasParent(ApplicationEnvironmentPreparedEvent event) {
		return event.getSpringApplication()
			.getInitializers()
			.stream()
			.anyMatch(ParentContextApplicationContextInitializer.class::isInstance);
	}

}
