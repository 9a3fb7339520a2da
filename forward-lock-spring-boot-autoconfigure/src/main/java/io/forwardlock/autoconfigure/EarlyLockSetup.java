package io.forwardlock.autoconfigure;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.ParentContextApplicationContextInitializer;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;
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

	private static final String EXCLUDE_PROPERTY = "spring.autoconfigure.exclude";

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
		if (AotProcessing.isRunning() || !isGuarded(event) || hasParent(event)) {
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

	private static boolean isGuarded(ApplicationEnvironmentPreparedEvent event) {
		return DisabledForwardLockPostProcessor.isEnabled(event.getEnvironment())
				&& !excludedAutoConfigurations(event).contains(ForwardLockAutoConfiguration.class.getName());
	}

	/**
	 * The auto-configurations that the application excludes where they can be known
	 * before the context exists: {@code spring.autoconfigure.exclude}, bound as Boot
	 * binds it (comma-separated, or indexed as a YAML list), and the {@code exclude} and
	 * {@code excludeName} of {@code @EnableAutoConfiguration} (or
	 * {@code @SpringBootApplication}) on the application's own sources. An exclusion
	 * declared on a configuration that a source imports is only known to the context; a
	 * lock taken early that no bean of the context takes over is released before any
	 * singleton is created ({@link EarlyLockGuard.Handover}).
	 */
	private static Set<String> excludedAutoConfigurations(ApplicationEnvironmentPreparedEvent event) {
		Set<String> excluded = new HashSet<>();
		Binder.get(event.getEnvironment())
			.bind(EXCLUDE_PROPERTY, Bindable.listOf(String.class))
			.ifBound((names) -> names.forEach((name) -> excluded.add(name.trim())));
		for (Object source : event.getSpringApplication().getAllSources()) {
			if (source instanceof Class<?> type) {
				MergedAnnotations.from(type, SearchStrategy.TYPE_HIERARCHY)
					.stream(EnableAutoConfiguration.class)
					.forEach((annotation) -> {
						Arrays.stream(annotation.getClassArray("exclude")).map(Class::getName).forEach(excluded::add);
						excluded.addAll(Arrays.asList(annotation.getStringArray("excludeName")));
					});
			}
		}
		return excluded;
	}

	private static boolean hasParent(ApplicationEnvironmentPreparedEvent event) {
		return event.getSpringApplication()
			.getInitializers()
			.stream()
			.anyMatch(ParentContextApplicationContextInitializer.class::isInstance);
	}

}
