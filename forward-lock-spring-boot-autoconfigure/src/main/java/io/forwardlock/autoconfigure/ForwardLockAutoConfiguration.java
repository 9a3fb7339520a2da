package io.forwardlock.autoconfigure;

import java.util.List;

import io.forwardlock.lifecycle.ForwardLockLifecycle;
import io.forwardlock.lifecycle.LockLostHandler;
import io.forwardlock.lifecycle.MarkDownOnLockLost;
import io.forwardlock.lifecycle.ShutdownOnLockLost;
import io.forwardlock.lifecycle.StandbyOnLockLost;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} that guards the application with an instance lock: a second
 * instance refuses to start while the first runs. Any {@link LockBackend} bean is used;
 * without one, the file backend is configured ({@code forward.lock.backend=file}).
 * {@code forward.lock.enabled=false} turns everything off.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "forward.lock.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ForwardLockProperties.class)
public final class ForwardLockAutoConfiguration {

	/**
	 * Name of the auto-configured file backend bean.
	 */
	public static final String BACKEND_BEAN_NAME = "forwardLockBackend";

	/**
	 * Name of the auto-configured lock request bean.
	 */
	public static final String REQUEST_BEAN_NAME = "forwardLockRequest";

	@Bean(REQUEST_BEAN_NAME)
	@ConditionalOnMissingBean
	LockRequest forwardLockRequest(ForwardLockProperties properties, Environment environment) {
		return ForwardLockRequests.request(properties, environment);
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
	ForwardLockLifecycle forwardLockLifecycle(ObjectProvider<LockBackend> backend, LockRequest request,
			ForwardLockProperties properties, LockLostHandler lostHandler,
			ObjectProvider<EarlyLockAcquisition> earlyAcquisition) {
		ForwardLockLifecycle lifecycle = new ForwardLockLifecycle(backend.getIfAvailable(() -> {
			throw noBackend(properties);
		}), request, ForwardLockRequests.policy(properties), properties.getVerifyInterval(), lostHandler);
		earlyAcquisition.ifAvailable((early) -> lifecycle.setEarlyAcquisition(early));
		return lifecycle;
	}

	private static LockException noBackend(ForwardLockProperties properties) {
		return new LockException(LockErrorType.BACKEND_UNAVAILABLE,
				"No lock backend for forward.lock.backend=" + properties.getBackend().name().toLowerCase(), null, null,
				List.of("For the JDBC backend, add spring-boot-starter-jdbc and a JDBC driver so that a DataSource "
						+ "is configured", "Or use the file backend on a single host: forward.lock.backend=file",
						"Or define a LockBackend bean of your own"),
				null);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "forward.lock.backend", havingValue = "file", matchIfMissing = true)
	static class FileBackendConfiguration {

		@Bean(BACKEND_BEAN_NAME)
		@ConditionalOnMissingBean(LockBackend.class)
		FileLockBackend forwardLockBackend(ForwardLockProperties properties, LockRequest request) {
			return ForwardLockRequests.fileBackend(properties, request);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty("forward.lock.acquire-early")
	static class EarlyAcquisitionConfiguration {

		@Bean
		static EarlyLockAcquisition forwardLockEarlyAcquisition() {
			return new EarlyLockAcquisition();
		}

	}

}
