package io.forwardlock.autoconfigure;

import io.forwardlock.actuate.TestLockStatuses;
import io.forwardlock.actuate.TestLockStatuses.MutableLockStatusProvider;
import io.forwardlock.actuate.info.ForwardLockInfoContributor;
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
 * Tests for {@link ForwardLockInfoContributorAutoConfiguration}.
 */
@Timeout(60)
class ForwardLockInfoContributorAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ForwardLockInfoContributorAutoConfiguration.class))
		.withBean(LockStatusProvider.class, () -> new MutableLockStatusProvider(TestLockStatuses.acquired()));

	private final ApplicationContextRunner importedRunner = new ApplicationContextRunner()
		.withUserConfiguration(ImportedAsInAnApplication.class)
		.withBean(LockStatusProvider.class, () -> new MutableLockStatusProvider(TestLockStatuses.acquired()));

	@Test
	void runShouldCreateInfoContributor() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(ForwardLockInfoContributor.class));
	}

	@Test
	void runWhenDisabledShouldNotCreateInfoContributor() {
		this.contextRunner.withPropertyValues("management.info.forwardlock.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ForwardLockInfoContributor.class));
	}

	@Test
	void backsOffWithNoLockStatusProviderBean() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ForwardLockInfoContributorAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ForwardLockInfoContributor.class));
	}

	@Test
	void runWhenImportedAsInAnApplicationShouldCreateInfoContributor() {
		this.importedRunner.run((context) -> assertThat(context).hasBean("forwardLockInfoContributor"));
	}

	@Test
	void backsOffQuietlyWithoutActuator() {
		this.importedRunner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(LockStatusProvider.class)
				.doesNotHaveBean("forwardLockInfoContributor"));
	}

	@Test
	void isListedInAutoConfigurationImports() {
		assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()).getCandidates())
			.contains(ForwardLockInfoContributorAutoConfiguration.class.getName());
	}

	/**
	 * Imports the auto-configuration the way an application does, so that a missing
	 * library filters it out before its conditions are read.
	 */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(ForwardLockInfoContributorAutoConfiguration.class)
	static class ImportedAsInAnApplication {

	}

}
