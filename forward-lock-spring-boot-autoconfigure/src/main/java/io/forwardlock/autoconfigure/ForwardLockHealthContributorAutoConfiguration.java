package io.forwardlock.autoconfigure;

import io.forwardlock.actuate.health.ForwardLockHealthIndicator;
import io.forwardlock.lifecycle.LockStatusProvider;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for
 * {@link ForwardLockHealthIndicator}. Switched off with
 * {@code management.health.forwardlock.enabled=false}.
 */
@AutoConfiguration(after = ForwardLockAutoConfiguration.class)
@ConditionalOnClass(ConditionalOnEnabledHealthIndicator.class)
@ConditionalOnBean(LockStatusProvider.class)
@ConditionalOnEnabledHealthIndicator("forwardlock")
public final class ForwardLockHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "forwardLockHealthIndicator")
	ForwardLockHealthIndicator forwardLockHealthIndicator(LockStatusProvider statusProvider) {
		return new ForwardLockHealthIndicator(statusProvider);
	}

}
