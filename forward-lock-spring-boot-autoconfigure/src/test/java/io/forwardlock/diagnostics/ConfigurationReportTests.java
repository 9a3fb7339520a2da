package io.forwardlock.diagnostics;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;
import java.util.concurrent.TimeUnit;

import io.forwardlock.autoconfigure.ForwardLockAutoConfiguration;
import io.forwardlock.autoconfigure.ForwardLockJdbcAutoConfiguration;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * What a user sees when a {@code forward.lock.*} setting is wrong: the report Boot prints
 * through the failure analyzers, checked on a real {@link SpringApplication} start.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConfigurationReportTests {

	@TempDir
	Path dir;

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			textBlock = """
					--forward.lock.stale-timeout=-5s      | forward.lock.stale-timeout      | -5s  | must be a positive duration
					--forward.lock.verify-interval=0ms    | forward.lock.verify-interval    | 0ms  | must be a positive duration
					--forward.lock.heartbeat.interval=31s | forward.lock.heartbeat.interval | 31s  | at most half of forward.lock.stale-timeout
					--forward.lock.exit-code=0            | forward.lock.exit-code          | 0    | from 1 to 255
					--forward.lock.lost-exit-code=256     | forward.lock.lost-exit-code     | 256  | from 1 to 255
					--forward.lock.max-retries=-1         | forward.lock.max-retries        | -1   | must be 0 or more
					""")
	void invalidValueIsReportedWithThePropertyAndTheValueAsWritten(String argument, String property, String value,
			String reason, CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(argument));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: " + property + "\n")
			.contains("Value: \"" + value + "\"")
			.contains(reason)
			.doesNotContain("staleTimeout", "exitCode", "lostExitCode", "verifyInterval", "maxRetries", "PT-5S", "PT0S",
					"PT31S")
			.doesNotContain("\tat ");
	}

	@Test
	void valueFromTheEnvironmentIsShownAsWritten(CapturedOutput output) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
					new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
							Map.of("FORWARD_LOCK_STALE_TIMEOUT", "-5s")));
		assertThatException().isThrownBy(() -> run(environment, "--forward.lock.verify-interval=1h"));
		assertThat(output).contains("Property: forward.lock.stale-timeout\n").contains("Value: \"-5s\"");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			--forward.lock.backend=redis                  | file, jdbc, kubernetes, zookeeper
			--forward.lock.on-lost=explode                | shutdown, mark-down, standby
			""")
	void invalidEnumValueListsTheValidValues(String argument, String valid, CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(argument));
		String report = output.toString();
		assertThat(report).contains("APPLICATION FAILED TO START").doesNotContain("\tat ");
		for (String each : valid.split(", ")) {
			assertThat(report).containsIgnoringCase(each.replace('-', '_'));
		}
	}

	@Test
	void invalidTableNameIsReportedWithThePropertyAndNoStackTrace(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(JdbcConfig.class, new StandardEnvironment(),
				"--forward.lock.backend=jdbc", "--forward.lock.jdbc.table-name=locks; DROP TABLE x"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: forward.lock.jdbc.table-name\n")
			.contains("Value: \"locks; DROP TABLE x\"")
			.contains("for example FORWARD_LOCK")
			.doesNotContain("\tat ");
	}

	@Test
	void inMemoryDatabaseIsReportedWithThePropertyAndNoStackTrace(CapturedOutput output) {
		assertThatException()
			.isThrownBy(() -> run(JdbcConfig.class, new StandardEnvironment(), "--forward.lock.backend=jdbc"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("jdbc:h2:mem:")
			.contains("forward.lock.jdbc.allow-in-memory-database=true")
			.contains("forward.lock.backend=file")
			.doesNotContain("\tat ");
	}

	private void run(String argument) {
		run(new StandardEnvironment(), argument);
	}

	private void run(ConfigurableEnvironment environment, String argument) {
		run(Config.class, environment, argument);
	}

	private void run(Class<?> config, ConfigurableEnvironment environment, String... arguments) {
		SpringApplication application = new SpringApplication(config);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setEnvironment(environment);
		List<String> all = new ArrayList<>(List.of(arguments));
		all.addAll(List.of("--forward.lock.dir=" + this.dir, "--spring.application.name=orders",
				"--forward.lock.early-probe=false"));
		// a start that should have failed is closed at once, so that it holds no lock
		application.run(all.toArray(String[]::new)).close();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(ForwardLockAutoConfiguration.class)
	static class Config {

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ ForwardLockJdbcAutoConfiguration.class, ForwardLockAutoConfiguration.class })
	static class JdbcConfig {

		@Bean
		DataSource dataSource() {
			JdbcDataSource dataSource = new JdbcDataSource();
			dataSource.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
			return dataSource;
		}

	}

}
