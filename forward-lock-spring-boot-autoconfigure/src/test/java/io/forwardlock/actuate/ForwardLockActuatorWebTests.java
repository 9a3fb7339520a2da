package io.forwardlock.actuate;

import java.util.Map;

import io.forwardlock.actuate.TestLockStatuses.MutableLockStatusProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Actuator web endpoints of forward-lock over HTTP, against a real web server and a lock
 * snapshot that the test controls.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "forward.lock.enabled=false",
				"management.endpoints.web.exposure.include=health,info,forwardlock",
				"management.endpoint.health.show-details=always", "management.endpoint.health.probes.enabled=true",
				"management.endpoint.health.group.readiness.include=readinessState,forwardLock",
				"billing.api.password=" + ForwardLockActuatorWebTests.SECRET })
@AutoConfigureTestRestTemplate
@Timeout(60)
class ForwardLockActuatorWebTests {

	static final String SECRET = "s3cr3t-do-not-show";

	private final JsonMapper jsonMapper = JsonMapper.builder().build();

	@Autowired
	private TestRestTemplate rest;

	@Autowired
	private MutableLockStatusProvider statusProvider;

	@AfterEach
	void restoreStatus() {
		this.statusProvider.setStatus(TestLockStatuses.acquired());
	}

	@Test
	void healthComponentIsUpWithDetails() {
		ResponseEntity<String> response = this.rest.getForEntity("/actuator/health/forwardLock", String.class);
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		JsonNode health = json(response);
		assertThat(health.get("status").asString()).isEqualTo("UP");
		JsonNode details = health.get("details");
		assertThat(details.get("state").asString()).isEqualTo("ACQUIRED");
		assertThat(details.get("backend").asString()).isEqualTo("file");
		assertThat(details.get("location").asString()).isEqualTo("/var/lock/billing.lock");
		assertThat(details.get("pid").asLong()).isEqualTo(4242);
		assertThat(details.get("hostname").asString()).isEqualTo("host-a");
		assertThat(details.get("acquiredAt").asString()).isEqualTo("2026-11-28T01:00:00Z");
		assertThat(details.get("lastVerification").get("status").asString()).isEqualTo("HELD");
	}

	@Test
	void healthAndReadinessAreDownOnceTheLockIsLost() {
		this.statusProvider.setStatus(TestLockStatuses.lost());
		ResponseEntity<String> component = this.rest.getForEntity("/actuator/health/forwardLock", String.class);
		assertThat(component.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		assertThat(json(component).get("status").asString()).isEqualTo("DOWN");
		ResponseEntity<String> readiness = this.rest.getForEntity("/actuator/health/readiness", String.class);
		assertThat(readiness.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		ResponseEntity<String> liveness = this.rest.getForEntity("/actuator/health/liveness", String.class);
		assertThat(liveness.getStatusCode()).isEqualTo(HttpStatus.OK);
	}

	@Test
	void readinessIsUpWhileTheLockIsHeld() {
		ResponseEntity<String> readiness = this.rest.getForEntity("/actuator/health/readiness", String.class);
		assertThat(readiness.getStatusCode()).isEqualTo(HttpStatus.OK);
	}

	@Test
	void endpointDescribesTheLock() {
		ResponseEntity<String> response = this.rest.getForEntity("/actuator/forwardlock", String.class);
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		JsonNode lock = json(response);
		assertThat(lock.get("state").asString()).isEqualTo("ACQUIRED");
		assertThat(lock.get("backend").asString()).isEqualTo("file");
		assertThat(lock.get("lockName").asString()).isEqualTo("billing");
		assertThat(lock.get("location").asString()).isEqualTo("/var/lock/billing.lock");
		assertThat(lock.get("holder").get("pid").asLong()).isEqualTo(4242);
		assertThat(lock.get("holder").get("hostname").asString()).isEqualTo("host-a");
		assertThat(lock.get("holder").get("processStartedAt").asString()).isEqualTo("2026-11-28T00:59:58Z");
		assertThat(lock.get("holder").get("acquiredAt").asString()).isEqualTo("2026-11-28T01:00:00Z");
		assertThat(lock.get("holder").get("applicationName").asString()).isEqualTo("billing");
		assertThat(lock.get("holder").get("instanceId").asString()).isEqualTo("7c1f0d0e-instance");
		assertThat(lock.get("heartbeat").get("enabled").asBoolean()).isTrue();
		assertThat(lock.get("heartbeat").get("interval").asString()).isEqualTo("PT30S");
		assertThat(lock.get("heartbeat").get("staleTimeout").asString()).isEqualTo("PT1M");
		assertThat(lock.get("heartbeat").get("lastBeatAt").asString()).isEqualTo("2026-11-28T01:05:00Z");
		assertThat(lock.get("verifyInterval").asString()).isEqualTo("PT5S");
		assertThat(lock.get("lastVerifiedAt").asString()).isEqualTo("2026-11-28T01:05:30Z");
		assertThat(lock.get("fencingToken").asLong()).isEqualTo(17);
	}

	@Test
	void endpointRevealsNoCommandLineEnvironmentOrSecrets() {
		String body = this.rest.getForObject("/actuator/forwardlock", String.class);
		assertThat(body).isNotBlank()
			.doesNotContainIgnoringCase("command")
			.doesNotContainIgnoringCase("arguments")
			.doesNotContainIgnoringCase("password")
			.doesNotContain(SECRET);
		ProcessHandle.current().info().command().ifPresent((java) -> assertThat(body).doesNotContain(java));
		for (String name : new String[] { "PATH", "JAVA_HOME", "HOME", "USER" }) {
			String value = System.getenv(name);
			if (value != null && value.length() > 3) {
				assertThat(body).as(name).doesNotContain(value);
			}
		}
	}

	@Test
	void infoHasShortSummary() {
		JsonNode info = json(this.rest.getForEntity("/actuator/info", String.class)).get("forwardLock");
		assertThat(this.jsonMapper.convertValue(info, Map.class)).containsOnlyKeys("state", "backend", "lockName",
				"pid", "hostname");
		assertThat(info.get("state").asString()).isEqualTo("ACQUIRED");
		assertThat(info.get("pid").asLong()).isEqualTo(4242);
	}

	private JsonNode json(ResponseEntity<String> response) {
		return this.jsonMapper.readTree(response.getBody());
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

		@Bean
		MutableLockStatusProvider lockStatusProvider() {
			return new MutableLockStatusProvider(TestLockStatuses.acquired());
		}

	}

}
