package io.forwardlock.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.jdbc.JdbcLockBackend;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardLockProperties}.
 */
class ForwardLockPropertiesTests {

	private final ForwardLockProperties properties = new ForwardLockProperties();

	@Test
	void defaultValuesMatchTheCoreDefaultsAndTheDocumentation() {
		LockRequest coreDefaults = LockRequest.named("app").build();
		assertThat(this.properties.isEnabled()).isTrue();
		assertThat(this.properties.getName()).isNull();
		assertThat(this.properties.getDir()).isNull();
		assertThat(this.properties.getBackend()).isEqualTo(ForwardLockProperties.Backend.FILE);
		assertThat(this.properties.getMaxRetries()).isZero();
		assertThat(this.properties.getRetryDelay()).isEqualTo(Duration.ofSeconds(1));
		assertThat(this.properties.isStandby()).isFalse();
		assertThat(this.properties.isAcquireEarly()).isFalse();
		assertThat(this.properties.isEarlyProbe()).isTrue();
		assertThat(this.properties.getHeartbeat().isEnabled()).isEqualTo(coreDefaults.heartbeatEnabled()).isFalse();
		assertThat(this.properties.getHeartbeat().getInterval()).isEqualTo(coreDefaults.heartbeatInterval());
		assertThat(this.properties.getStaleTimeout()).isEqualTo(coreDefaults.staleTimeout());
		assertThat(this.properties.getVerifyInterval()).isEqualTo(Duration.ofSeconds(5));
		assertThat(this.properties.getOnLost()).isEqualTo(ForwardLockProperties.OnLost.SHUTDOWN);
		assertThat(this.properties.getExitCode()).isEqualTo(75);
		assertThat(this.properties.getLostExitCode()).isEqualTo(76).isNotEqualTo(this.properties.getExitCode());
		assertThat(LockRequest.parseDirectoryMode(this.properties.getDirMode()))
			.isEqualTo(coreDefaults.directoryMode());
	}

	@Test
	void directoryModeBindsFromAnEnvironmentVariableLikeTheOtherFileSettings() {
		MockEnvironment environment = new MockEnvironment();
		environment.getPropertySources()
			.addFirst(new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
					Map.of("FORWARD_LOCK_DIR_MODE", "rwxr-x---")));
		ForwardLockProperties bound = EarlyLockAcquisition.bind(environment);
		assertThat(bound.getDirMode()).isEqualTo("rwxr-x---");
		assertThat(ForwardLockRequests.request(bound, environment).directoryMode()).isEqualTo(0750);
	}

	@Test
	void metadataDefaultsMatchThePropertyDefaultsAndTheCore() throws IOException {
		Map<String, String> defaults = new HashMap<>();
		// the generated metadata, then the hand-written file that supplies the defaults
		// the processor cannot work out (those taken from the core's constants)
		for (String location : new String[] { "META-INF/spring-configuration-metadata.json",
				"META-INF/additional-spring-configuration-metadata.json" }) {
			try (InputStream in = new ClassPathResource(location).getInputStream()) {
				for (JsonNode property : JsonMapper.shared().readTree(in).get("properties")) {
					// only single values: some defaults are lists (schema locations on
					// newer Spring Boot lines), and none of those is compared here
					if (property.has("defaultValue") && property.get("defaultValue").isValueNode()) {
						defaults.putIfAbsent(property.get("name").asString(), property.get("defaultValue").asString());
					}
				}
			}
		}
		assertThat(duration(defaults.get("forward.lock.stale-timeout"))).isEqualTo(this.properties.getStaleTimeout())
			.isEqualTo(LockRequest.DEFAULT_STALE_TIMEOUT);
		assertThat(duration(defaults.get("forward.lock.heartbeat.interval")))
			.isEqualTo(this.properties.getHeartbeat().getInterval())
			.isEqualTo(LockRequest.DEFAULT_HEARTBEAT_INTERVAL);
		assertThat(duration(defaults.get("forward.lock.retry-delay"))).isEqualTo(this.properties.getRetryDelay());
		assertThat(duration(defaults.get("forward.lock.verify-interval")))
			.isEqualTo(this.properties.getVerifyInterval());
		assertThat(defaults).containsEntry("forward.lock.exit-code", String.valueOf(this.properties.getExitCode()))
			.containsEntry("forward.lock.lost-exit-code", String.valueOf(this.properties.getLostExitCode()))
			.containsEntry("forward.lock.max-retries", String.valueOf(this.properties.getMaxRetries()))
			.containsEntry("forward.lock.jdbc.table-name", this.properties.getJdbc().getTableName());
		assertThat(this.properties.getJdbc().getTableName()).isEqualTo(JdbcLockBackend.DEFAULT_TABLE_NAME);
	}

	private static Duration duration(String text) {
		assertThat(text).as("default in the metadata").isNotNull();
		return DurationStyle.detectAndParse(text);
	}

	@Test
	void defaultValuesPassValidation() {
		MockEnvironment environment = new MockEnvironment();
		ForwardLockProperties bound = EarlyLockAcquisition.bind(environment);
		assertThat(bound.getExitCode()).isEqualTo(75);
		assertThat(ForwardLockRequests.request(bound, environment).name()).isEqualTo("application");
	}

	@Test
	void seedStyleDurationsBind() {
		MockEnvironment environment = new MockEnvironment().withProperty("forward.lock.heartbeat.interval", "30s")
			.withProperty("forward.lock.stale-timeout", "1m");
		ForwardLockProperties bound = EarlyLockAcquisition.bind(environment);
		assertThat(bound.getHeartbeat().getInterval()).isEqualTo(Duration.ofSeconds(30));
		assertThat(bound.getStaleTimeout()).isEqualTo(Duration.ofMinutes(1));
	}

}
