package io.forwardlock.autoconfigure;

import io.forwardlock.actuate.endpoint.ForwardLockEndpoint;
import io.forwardlock.lifecycle.LockStatusProvider;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for {@link ForwardLockEndpoint}.
 * Like every actuator endpoint it exists only once exposed, for example with
 * {@code management.endpoints.web.exposure.include=forwardlock}.
 */
@AutoConfiguration(after = ForwardLockAutoConfiguration.class)
@ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
@ConditionalOnBean(LockStatusProvider.class)
@ConditionalOnAvailableEndpoint(ForwardLockEndpoint.class)
public final class ForwardLockEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ForwardLockEndpoint forwardLockEndpoint(LockStatusProvider statusProvider) {
		return new ForwardLockEndpoint(statusProvider);
	}

}
