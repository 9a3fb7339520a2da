package io.forwardlock.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;

import io.forwardlock.lifecycle.LockAcquisitionPolicy;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;
import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardLockRequests}.
 */
class ForwardLockRequestsTests {

	private final ForwardLockProperties properties = new ForwardLockProperties();

	private final MockEnvironment environment = new MockEnvironment();

	@Test
	void nameDefaultsToTheApplicationNameMadeSafeForAFileName() {
		this.environment.setProperty("spring.application.name", " ../My App:v2 ");
		assertThat(ForwardLockRequests.lockName(this.properties, this.environment)).isEqualTo("My-App-v2");
	}

	@Test
	void nameFallsBackToApplicationWhenNothingUsableIsLeft() {
		assertThat(ForwardLockRequests.lockName(this.properties, this.environment)).isEqualTo("application");
		this.environment.setProperty("spring.application.name", "...");
		assertThat(ForwardLockRequests.lockName(this.properties, this.environment)).isEqualTo("application");
	}

	@Test
	void explicitNameWinsAndTheApplicationNameIsStillRecorded() {
		this.properties.setName("billing");
		this.environment.setProperty("spring.application.name", "billing-service");
		LockRequest request = ForwardLockRequests.request(this.properties, this.environment);
		assertThat(request.name()).isEqualTo("billing");
		assertThat(request.applicationName()).isEqualTo("billing-service");
	}

	@Test
	void policyFollowsTheProperties() {
		this.properties.setMaxRetries(3);
		this.properties.setRetryDelay(Duration.ofMillis(250));
		this.properties.setStandby(true);
		this.properties.setExitCode(42);
		assertThat(ForwardLockRequests.policy(this.properties))
			.isEqualTo(new LockAcquisitionPolicy(3, Duration.ofMillis(250), true, 42));
	}

	@Test
	void fileBackendUsesTheConfiguredDirectory() {
		this.properties.setDir(Path.of("/var/lib/billing"));
		LockRequest request = ForwardLockRequests.request(this.properties, this.environment);
		FileLockBackend backend = ForwardLockRequests.fileBackend(this.properties, request);
		assertThat(backend.getDirectory()).isEqualTo(Path.of("/var/lib/billing"));
		assertThat(backend.describeLocation(request)).isEqualTo("/var/lib/billing/application.lock");
	}

}
