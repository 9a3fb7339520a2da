package io.forwardlock.autoconfigure;

import java.nio.file.Path;

import io.forwardlock.lifecycle.ForwardLockLifecycle;
import io.forwardlock.lifecycle.LockState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application without actuator, health or Micrometer on its class path still gets the
 * lock, with none of the actuator beans and no error.
 */
@Timeout(60)
class ForwardLockWithoutActuatorTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withUserConfiguration(AllForwardLockAutoConfigurations.class);

	@Test
	void lockIsTakenWithoutActuatorBeans(@TempDir Path lockDir) {
		this.contextRunner
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate",
					"org.springframework.boot.health", "io.micrometer"))
			.withPropertyValues("forward.lock.dir=" + lockDir, "forward.lock.name=no-actuator",
					"management.endpoints.web.exposure.include=*")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(ForwardLockLifecycle.class).getStatus().state())
					.isEqualTo(LockState.ACQUIRED);
				assertThat(context).doesNotHaveBean("forwardLockHealthIndicator")
					.doesNotHaveBean("forwardLockEndpoint")
					.doesNotHaveBean("forwardLockInfoContributor")
					.doesNotHaveBean("forwardLockMetrics")
					.doesNotHaveBean("forwardLockMetricsListener");
			});
	}

	@Test
	void sameImportsWithActuatorCreateTheActuatorBeans(@TempDir Path lockDir) {
		this.contextRunner
			.withPropertyValues("forward.lock.dir=" + lockDir, "forward.lock.name=with-actuator",
					"management.endpoints.web.exposure.include=*")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasBean("forwardLockHealthIndicator")
				.hasBean("forwardLockEndpoint")
				.hasBean("forwardLockInfoContributor"));
	}

	/**
	 * Imports the auto-configurations the way an application does, so that a missing
	 * library filters them out before their conditions are read.
	 */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ ForwardLockAutoConfiguration.class, ForwardLockHealthContributorAutoConfiguration.class,
			ForwardLockEndpointAutoConfiguration.class, ForwardLockInfoContributorAutoConfiguration.class,
			ForwardLockMetricsAutoConfiguration.class })
	static class AllForwardLockAutoConfigurations {

	}

}
