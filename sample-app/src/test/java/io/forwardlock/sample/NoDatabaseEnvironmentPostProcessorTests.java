package io.forwardlock.sample;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link NoDatabaseEnvironmentPostProcessor}.
 */
class NoDatabaseEnvironmentPostProcessorTests {

	private static final String EXCLUDE = "spring.autoconfigure.exclude";

	private final NoDatabaseEnvironmentPostProcessor postProcessor = new NoDatabaseEnvironmentPostProcessor();

	@Test
	void leavesTheDataSourceOutWithoutAUrl() {
		MockEnvironment environment = new MockEnvironment();
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty(EXCLUDE))
			.isEqualTo("org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration");
	}

	@Test
	void keepsTheDataSourceWhenAUrlIsGiven() {
		MockEnvironment environment = new MockEnvironment().withProperty("spring.datasource.url",
				"jdbc:postgresql://localhost/app");
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty(EXCLUDE)).isNull();
	}

	@Test
	void leavesTheApplicationsOwnExclusionsAlone() {
		MockEnvironment environment = new MockEnvironment().withProperty(EXCLUDE, "com.example.Other");
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty(EXCLUDE)).isEqualTo("com.example.Other");
	}

}
