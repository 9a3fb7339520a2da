package io.forwardlock.autoconfigure;

import io.forwardlock.actuate.TestLockStatuses;
import io.forwardlock.actuate.TestLockStatuses.MutableLockStatusProvider;
import io.forwardlock.actuate.endpoint.ForwardLockEndpoint;
import io.forwardlock.lifecycle.LockState;
import io.forwardlock.lifecycle.LockStatusProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardLockEndpointAutoConfiguration}.
 */
@Timeout(60)
class ForwardLockEndpointAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ForwardLockEndpointAutoConfiguration.class))
		.withBean(LockStatusProvider.class, () -> new MutableLockStatusProvider(TestLockStatuses.acquired()));

	private final ApplicationContextRunner importedRunner = new ApplicationContextRunner()
		.withUserConfiguration(ImportedAsInAnApplication.class)
		.withBean(LockStatusProvider.class, () -> new MutableLockStatusProvider(TestLockStatuses.acquired()))
		.withPropertyValues("management.endpoints.web.exposure.include=forwardlock");

	@Test
	void runWhenNotExposedShouldNotHaveEndpointBean() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(ForwardLockEndpoint.class));
	}

	@Test
	void runWhenExposedOnTheWebShouldHaveEndpointBean() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=forwardlock")
			.run((context) -> {
				assertThat(context).hasSingleBean(ForwardLockEndpoint.class);
				assertThat(context.getBean(ForwardLockEndpoint.class).forwardLock().state())
					.isEqualTo(LockState.ACQUIRED);
			});
	}

	@Test
	void runWhenExposedOverJmxShouldHaveEndpointBean() {
		this.contextRunner
			.withPropertyValues("spring.jmx.enabled=true", "management.endpoints.jmx.exposure.include=forwardlock")
			.run((context) -> assertThat(context).hasSingleBean(ForwardLockEndpoint.class));
	}

	@Test
	void runWhenExposedButAccessNoneShouldNotHaveEndpointBean() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=forwardlock",
					"management.endpoint.forwardlock.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(ForwardLockEndpoint.class));
	}

	@Test
	void backsOffWithNoLockStatusProviderBean() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ForwardLockEndpointAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=forwardlock")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ForwardLockEndpoint.class));
	}

	@Test
	void runWhenImportedAsInAnApplicationShouldCreateEndpoint() {
		this.importedRunner.run((context) -> assertThat(context).hasBean("forwardLockEndpoint"));
	}

	@Test
	void backsOffQuietlyWithoutActuator() {
		this.importedRunner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(LockStatusProvider.class)
				.doesNotHaveBean("forwardLockEndpoint"));
	}

	@Test
	void backsOffWhenUserDefinesEndpoint() {
		ForwardLockEndpoint custom = new ForwardLockEndpoint(TestLockStatuses::notStarted);
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=forwardlock")
			.withBean("customEndpoint", ForwardLockEndpoint.class, () -> custom)
			.run((context) -> assertThat(context).getBean(ForwardLockEndpoint.class).isSameAs(custom));
	}

	@Test
	void isListedInAutoConfigurationImports() {
		assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()).getCandidates())
			.contains(ForwardLockEndpointAutoConfiguration.class.getName());
	}

	/**
	 * Imports the auto-configuration the way an application does, so that a missing
	 * library filters it out before its conditions are read.
	 */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(ForwardLockEndpointAutoConfiguration.class)
	static class ImportedAsInAnApplication {

	}

}
