package io.forwardlock.autoconfigure;

import java.util.List;
import java.util.Locale;

import io.forwardlock.autoconfigure.ForwardLockProperties.Backend;
import io.forwardlock.lifecycle.ForwardLockLifecycle;
import io.forwardlock.lifecycle.LockLostHandler;
import io.forwardlock.lifecycle.LockLostReadiness;
import io.forwardlock.lifecycle.MarkDownOnLockLost;
import io.forwardlock.lifecycle.ShutdownOnLockLost;
import io.forwardlock.lifecycle.StandbyOnLockLost;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} that guards the application with an instance lock: a second
 * instance refuses to start while the first runs. Any {@link LockBackend} bean is used;
 * without one, the {@link LockBackendFactory} for {@code forward.lock.backend} creates it
 * ({@code file} by default).
 * <p>
 * Both the backend and {@code forward.lock.enabled=false} are decided when the
 * application runs, not by conditions: Spring AOT fixes conditions when the application
 * is built, and a backend chosen at run time must never be silently replaced by another.
 * A backend whose factory is not on the class path fails start-up and names the module to
 * add.
 */
@AutoConfiguration
@EnableConfigurationProperties(ForwardLockProperties.class)
public final class ForwardLockAutoConfiguration {

	/**
	 * Name of the auto-configured backend bean.
	 */
	public static final String BACKEND_BEAN_NAME = "forwardLockBackend";

	/**
	 * Name of the auto-configured lock request bean.
	 */
	public static final String REQUEST_BEAN_NAME = "forwardLockRequest";

	@Bean
	static DisabledForwardLockPostProcessor forwardLockDisabledPostProcessor() {
		return new DisabledForwardLockPostProcessor();
	}

	@Bean(REQUEST_BEAN_NAME)
	@ConditionalOnMissingBean
	LockRequest forwardLockRequest(ForwardLockProperties properties, Environment environment) {
		return ForwardLockRequests.request(properties, environment);
	}

	@Bean
	@ConditionalOnMissingBean(name = "forwardLockFileBackendFactory")
	FileLockBackendFactory forwardLockFileBackendFactory(ForwardLockProperties properties) {
		return new FileLockBackendFactory(properties);
	}

	@Bean(BACKEND_BEAN_NAME)
	@ConditionalOnMissingBean(LockBackend.class)
	LockBackend forwardLockBackend(ForwardLockProperties properties, LockRequest request,
			ObjectProvider<LockBackendFactory> factories) {
		return selectFactory(properties.getBackend(), factories.orderedStream().toList()).createBackend(request);
	}

	@Bean
	@ConditionalOnMissingBean
	LockLostHandler forwardLockLostHandler(ForwardLockProperties properties, ApplicationContext context) {
		return switch (properties.getOnLost()) {
			case SHUTDOWN -> new ShutdownOnLockLost(context, properties.getLostExitCode());
			case MARK_DOWN -> new MarkDownOnLockLost(context);
			case STANDBY -> new StandbyOnLockLost(context);
		};
	}

	@Bean
	@ConditionalOnMissingBean
	ForwardLockLifecycle forwardLockLifecycle(LockBackend backend, LockRequest request,
			ForwardLockProperties properties, LockLostHandler lostHandler,
			ObjectProvider<EarlyLockAcquisition> earlyAcquisition) {
		ForwardLockLifecycle lifecycle = new ForwardLockLifecycle(backend, request,
				ForwardLockRequests.policy(properties), properties.getVerifyInterval(), lostHandler);
		earlyAcquisition.ifAvailable((early) -> lifecycle.setEarlyAcquisition(early));
		return lifecycle;
	}

	@Bean
	@ConditionalOnMissingBean
	LockLostReadiness forwardLockLostReadiness(ForwardLockLifecycle lifecycle, ApplicationContext context,
			ObjectProvider<ApplicationAvailability> availability) {
		// Boot's ApplicationAvailabilityBean, initialized first, is called first with the
		// readiness that SpringApplication publishes; the state it records last is then
		// the one that LockLostReadiness publishes after it
		availability.getIfAvailable();
		return new LockLostReadiness(lifecycle, context);
	}

	/**
	 * Pick the one factory that serves the selected backend; never another one.
	 * @param backend the selected backend
	 * @param factories every factory on the class path
	 * @return the factory for the backend
	 * @throws LockException when no factory, or more than one, serves the backend
	 */
	static LockBackendFactory selectFactory(Backend backend, List<LockBackendFactory> factories) {
		List<LockBackendFactory> serving = factories.stream()
			.filter((factory) -> factory.backend() == backend)
			.toList();
		if (serving.size() == 1) {
			return serving.get(0);
		}
		String property = "forward.lock.backend=" + backend.name().toLowerCase(Locale.ROOT);
		if (serving.isEmpty()) {
			throw new LockException(LockErrorType.BACKEND_UNAVAILABLE,
					property + " needs " + moduleFor(backend) + " on the class path", null, null,
					List.of("Add " + moduleFor(backend) + " to the application's dependencies",
							"Or choose a backend that is on the class path: forward.lock.backend="
									+ available(factories),
							"Or define a LockBackend bean of your own"),
					null);
		}
		throw new LockException(LockErrorType.BACKEND_UNAVAILABLE,
				property + " is served by " + serving.size() + " LockBackendFactory beans: "
						+ serving.stream().map((factory) -> factory.getClass().getName()).toList(),
				null, null,
				List.of("Keep one LockBackendFactory per backend, or define a LockBackend bean of your own"), null);
	}

	private static String moduleFor(Backend backend) {
		return switch (backend) {
			case FILE -> "forward-lock-spring-boot-autoconfigure (its file backend factory is missing or replaced)";
			case JDBC -> "a DataSource and the JDBC support of forward-lock-spring-boot-autoconfigure "
					+ "(ForwardLockJdbcAutoConfiguration, missing or excluded)";
			case KUBERNETES -> "forward-lock-kubernetes";
			case ZOOKEEPER -> "forward-lock-zookeeper";
		};
	}

	private static String available(List<LockBackendFactory> factories) {
		List<String> values = factories.stream()
			.map((factory) -> factory.backend().name().toLowerCase(Locale.ROOT))
			.distinct()
			.toList();
		return values.isEmpty() ? "(none)" : String.join(" | ", values);
	}

	/**
	 * Defined whatever {@code forward.lock.acquire-early} and
	 * {@code forward.lock.enabled} say at build time: Spring AOT would fix a property
	 * condition when the application is built. {@link EarlyLockAcquisition} reads both
	 * when the application runs.
	 */
	@Configuration(proxyBeanMethods = false)
	static class EarlyAcquisitionConfiguration {

		@Bean
		static EarlyLockAcquisition forwardLockEarlyAcquisition() {
			return new EarlyLockAcquisition();
		}

	}

}
