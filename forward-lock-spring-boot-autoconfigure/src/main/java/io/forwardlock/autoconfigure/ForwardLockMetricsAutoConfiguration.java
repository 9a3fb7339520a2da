package io.forwardlock.autoconfigure;

import io.forwardlock.actuate.metrics.ForwardLockMetrics;
import io.forwardlock.actuate.metrics.ForwardLockMetricsListener;
import io.forwardlock.lifecycle.LockStatusProvider;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for {@link ForwardLockMetrics}, fed
 * by the lifecycle's lock events, when Micrometer is present and a {@link MeterRegistry}
 * is configured. Refusals that happened in this JVM before any context existed are
 * counted too (see {@link EarlyLockEvents}).
 */
@AutoConfiguration(after = ForwardLockAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ LockStatusProvider.class, MeterRegistry.class })
public final class ForwardLockMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ForwardLockMetrics forwardLockMetrics(LockStatusProvider statusProvider) {
		return new ForwardLockMetrics(statusProvider);
	}

	@Bean
	@ConditionalOnMissingBean
	ForwardLockMetricsListener forwardLockMetricsListener(ForwardLockMetrics forwardLockMetrics) {
		ForwardLockMetricsListener listener = new ForwardLockMetricsListener(forwardLockMetrics);
		// Refusals of earlier start-ups of this JVM, before any meter registry existed
		EarlyLockEvents.replayUncounted(listener);
		return listener;
	}

}
