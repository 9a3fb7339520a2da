package io.forwardlock.actuate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.forwardlock.actuate.testsupport.LockFileTakeoverProcess;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.file.testsupport.ChildJvm;
import io.forwardlock.lock.file.testsupport.LockProbeProcess;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
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
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The actuator support over HTTP against a real web server and a real file lock held by
 * this process, probed and taken over by separate JVMs.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=health,info,forwardlock",
				"management.endpoint.health.show-details=always", "management.endpoint.health.probes.enabled=true",
				"management.endpoint.health.group.readiness.include=readinessState,forwardLock" })
@AutoConfigureTestRestTemplate
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(180)
class ForwardLockActuatorIntegrationTests {

	private static final String LOCK_NAME = "actuator-it";

	private static final Duration VERIFY_INTERVAL = Duration.ofMillis(200);

	private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

	// Created before the context starts, which needs it to take the lock.
	private static final Path LOCK_DIR = createLockDir();

	private final JsonMapper jsonMapper = JsonMapper.builder().build();

	@Autowired
	private TestRestTemplate rest;

	@Autowired
	private MeterRegistry meterRegistry;

	@DynamicPropertySource
	static void lockProperties(DynamicPropertyRegistry registry) {
		registry.add("forward.lock.dir", LOCK_DIR::toString);
		registry.add("forward.lock.name", () -> LOCK_NAME);
		registry.add("forward.lock.on-lost", () -> "mark-down");
		registry.add("forward.lock.verify-interval", () -> VERIFY_INTERVAL.toMillis() + "ms");
	}

	@AfterAll
	static void deleteLockDir() throws IOException {
		FileSystemUtils.deleteRecursively(LOCK_DIR);
	}

	@Test
	@Order(1)
	void healthIsUpWithDetailsOfThisProcess() {
		ResponseEntity<String> response = this.rest.getForEntity("/actuator/health/forwardLock", String.class);
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		JsonNode health = json(response.getBody());
		assertThat(health.get("status").asString()).isEqualTo("UP");
		JsonNode details = health.get("details");
		assertThat(details.get("state").asString()).isEqualTo("ACQUIRED");
		assertThat(details.get("backend").asString()).isEqualTo("file");
		assertThat(details.get("lockName").asString()).isEqualTo(LOCK_NAME);
		assertThat(Path.of(details.get("location").asString())).isEqualTo(lockFile());
		assertThat(details.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
		assertThat(details.get("hostname").asString()).isEqualTo(HolderRecord.localHostname());
		assertThat(details.get("acquiredAt").asString()).isNotBlank();
	}

	@Test
	@Order(2)
	void endpointShowsThisProcessAsHolder() {
		JsonNode lock = json(this.rest.getForObject("/actuator/forwardlock", String.class));
		assertThat(lock.get("state").asString()).isEqualTo("ACQUIRED");
		assertThat(lock.get("holder").get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
		assertThat(lock.get("holder").get("hostname").asString()).isEqualTo(HolderRecord.localHostname());
		assertThat(lock.get("verifyInterval").asString()).isEqualTo("PT0.2S");
		// the file backend has no fencing token with the heartbeat off
		assertThat(lock.get("fencingToken").isNull()).isTrue();
		assertThat(this.meterRegistry.get("forward.lock.held").gauge().value()).isEqualTo(1.0);
		assertThat(this.meterRegistry.get("forward.lock.acquire").tag("outcome", "acquired").timer().count())
			.isEqualTo(1);
	}

	@Test
	@Order(3)
	void manyEndpointAndHealthCallsLeaveTheLockHeld() throws Exception {
		for (int i = 0; i < 100; i++) {
			assertThat(this.rest.getForEntity("/actuator/health/forwardLock", String.class).getStatusCode())
				.isEqualTo(HttpStatus.OK);
			assertThat(this.rest.getForEntity("/actuator/forwardlock", String.class).getStatusCode())
				.isEqualTo(HttpStatus.OK);
			assertThat(this.rest.getForEntity("/actuator/health", String.class).getStatusCode())
				.isEqualTo(HttpStatus.OK);
			assertThat(this.rest.getForEntity("/actuator/info", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
		}
		try (ChildJvm probe = ChildJvm.start(LockProbeProcess.class)) {
			probe.await(CHILD_TIMEOUT, "READY");
			assertThat(probe.ask(lockFile().toString(), CHILD_TIMEOUT, "LOCKED_BY_OTHER", "FREE", "MISSING"))
				.isEqualTo("LOCKED_BY_OTHER");
		}
	}

	@Test
	@Order(4)
	void healthGoesDownOnceAnotherProcessReplacesTheLockFile() throws Exception {
		try (ChildJvm intruder = ChildJvm.start(LockFileTakeoverProcess.class, lockFile().toString())) {
			assertThat(intruder.await(CHILD_TIMEOUT, "TOOK_OVER", "ERROR")).isEqualTo("TOOK_OVER");
			// The lifecycle notices at its next verification; a loaded machine may delay
			// it.
			await().atMost(Duration.ofSeconds(30)).pollInterval(VERIFY_INTERVAL).untilAsserted(() -> {
				ResponseEntity<String> response = this.rest.getForEntity("/actuator/health/forwardLock", String.class);
				assertThat(response.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
				assertThat(json(response.getBody()).get("status").asString()).isEqualTo("DOWN");
			});
			JsonNode details = json(this.rest.getForObject("/actuator/health/forwardLock", String.class))
				.get("details");
			assertThat(details.get("state").asString()).isEqualTo("LOST");
			assertThat(details.get("lastVerification").get("status").asString()).isEqualTo("LOST");
			assertThat(json(this.rest.getForObject("/actuator/forwardlock", String.class)).get("state").asString())
				.isEqualTo("LOST");
			// on-lost=mark-down keeps the application running but out of the readiness
			// group
			assertThat(this.rest.getForEntity("/actuator/health/readiness", String.class).getStatusCode())
				.isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
			assertThat(this.rest.getForEntity("/actuator/health/liveness", String.class).getStatusCode())
				.isEqualTo(HttpStatus.OK);
			assertThat(this.meterRegistry.get("forward.lock.held").gauge().value()).isEqualTo(0.0);
			assertThat(this.meterRegistry.get("forward.lock.lost").functionCounter().count()).isEqualTo(1.0);
		}
	}

	private JsonNode json(String body) {
		return this.jsonMapper.readTree(body);
	}

	private static Path lockFile() {
		return LOCK_DIR.resolve(LOCK_NAME + ".lock");
	}

	private static Path createLockDir() {
		try {
			return Files.createTempDirectory("forward-lock-actuator-").toRealPath();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
