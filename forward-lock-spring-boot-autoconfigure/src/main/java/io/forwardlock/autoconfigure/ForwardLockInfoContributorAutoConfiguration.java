package io.forwardlock.autoconfigure;

import io.forwardlock.actuate.info.ForwardLockInfoContributor;
import io.forwardlock.lifecycle.LockStatusProvider;

import org.springframework.boot.actuate.autoconfigure.info.ConditionalOnEnabledInfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for
 * {@link ForwardLockInfoContributor}. Switched off with
 * {@code management.info.forwardlock.enabled=false}.
 */
@AutoConfiguration(after = ForwardLockAutoConfiguration.class)
@ConditionalOnClass(ConditionalOnEnabledInfoContributor.class)
@ConditionalOnBean(LockStatusProvider.class)
@ConditionalOnEnabledInfoContributor("forwardlock")
public final class ForwardLockInfoContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "forwardLockInfoContributor")
	ForwardLockInfoContributor forwardLockInfoContributor(LockStatusProvider statusProvider) {
		return new ForwardLockInfoContributor(statusProvider);
	}

}
