package io.forwardlock.sample;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Lets the sample run without a database. The sample carries a JDBC driver for
 * {@code forward.lock.backend=jdbc}, and with a driver on the class path Spring Boot
 * insists on a data source URL; so when none is given, the data source auto-configuration
 * is left out and the sample runs on the file backend.
 */
class NoDatabaseEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	private static final String DATA_SOURCE_AUTO_CONFIGURATION = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (environment.containsProperty("spring.datasource.url")
				|| environment.containsProperty("spring.autoconfigure.exclude")) {
			return;
		}
		environment.getPropertySources()
			.addLast(new MapPropertySource("sampleWithoutDatabase",
					Map.of("spring.autoconfigure.exclude", DATA_SOURCE_AUTO_CONFIGURATION)));
	}

	@Override
	public int getOrder() {
		// After application.properties and the command line have been read.
		return Ordered.LOWEST_PRECEDENCE;
	}

}
