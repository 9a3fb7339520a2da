package io.forwardlock.autoconfigure;

import io.forwardlock.actuate.TestLockStatuses;
import io.forwardlock.actuate.TestLockStatuses.MutableLockStatusProvider;
import io.forwardlock.actuate.health.ForwardLockHealthIndicator;
import io.forwardlock.lifecycle.LockStatusProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardLockHealthContributorAutoConfiguration}.
 */
@Timeout(60)
class ForwardLockHealthContributorAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ForwardLockHealthContributorAutoConfiguration.class,
				HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class))
		.withBean(LockStatusProvider.class, () -> new MutableLockStatusProvider(TestLockStatuses.acquired()));

	private final ApplicationContextRunner importedRunner = new ApplicationContextRunner()
		.withUserConfiguration(ImportedAsInAnApplication.class)
		.withBean(LockStatusProvider.class, () -> new MutableLockStatusProvider(TestLockStatuses.acquired()));

	@Test
	void runShouldRegisterIndicatorAsForwardLockComponent() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ForwardLockHealthIndicator.class).hasBean("forwardLockHealthIndicator");
			assertThat(context.getBean(HealthContributorRegistry.class).getContributor("forwardLock"))
				.isInstanceOf(ForwardLockHealthIndicator.class);
		});
	}

	@Test
	void runWhenDisabledShouldNotCreateIndicator() {
		this.contextRunner.withPropertyValues("management.health.forwardlock.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ForwardLockHealthIndicator.class));
	}

	@Test
	void runWhenDefaultsDisabledShouldNotCreateIndicator() {
		this.contextRunner.withPropertyValues("management.health.defaults.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ForwardLockHealthIndicator.class));
	}

	@Test
	void backsOffWithNoLockStatusProviderBean() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ForwardLockHealthContributorAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ForwardLockHealthIndicator.class));
	}

	@Test
	void runWhenImportedAsInAnApplicationShouldCreateIndicator() {
		this.importedRunner.run((context) -> assertThat(context).hasBean("forwardLockHealthIndicator"));
	}

	@Test
	void backsOffQuietlyWithoutSpringBootHealth() {
		this.importedRunner.withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(LockStatusProvider.class)
				.doesNotHaveBean("forwardLockHealthIndicator"));
	}

	@Test
	void backsOffWhenUserDefinesForwardLockHealthIndicator() {
		HealthIndicator custom = () -> Health.outOfService().build();
		this.contextRunner.withBean("forwardLockHealthIndicator", HealthIndicator.class, () -> custom)
			.run((context) -> {
				assertThat(context).doesNotHaveBean(ForwardLockHealthIndicator.class);
				assertThat(context.getBean("forwardLockHealthIndicator", HealthIndicator.class).health().getStatus())
					.isEqualTo(Status.OUT_OF_SERVICE);
			});
	}

	@Test
	void isListedInAutoConfigurationImports() {
		assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()).getCandidates())
			.contains(ForwardLockHealthContributorAutoConfiguration.class.getName());
	}

	/**
	 * Imports the auto-configuration the way an application does, so that a missing
	 * library filters it out before its conditions are read.
	 */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(ForwardLockHealthContributorAutoConfiguration.class)
	static class ImportedAsInAnApplication {

	}

}
