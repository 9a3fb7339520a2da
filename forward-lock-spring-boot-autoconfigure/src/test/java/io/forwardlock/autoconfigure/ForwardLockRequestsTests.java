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
	void nameDefaultsToTheApplicationNameMadeSafeForAFileNameWithAShortHashOfTheOriginal() {
		this.environment.setProperty("spring.application.name", " ../My App:v2 ");
		assertThat(ForwardLockRequests.lockName(this.properties, this.environment)).matches("My-App-v2-[0-9a-f]{8}");
	}

	@Test
	void applicationNameThatIsAlreadySafeIsKeptAsItIs() {
		this.environment.setProperty("spring.application.name", "billing-service");
		assertThat(ForwardLockRequests.lockName(this.properties, this.environment)).isEqualTo("billing-service");
	}

	@Test
	void applicationNamesInOtherScriptsGetDistinctLockNames() {
		String orders = lockNameOf("注文");
		String invoices = lockNameOf("請求");
		assertThat(orders).isNotEqualTo(invoices).matches("application-[0-9a-f]{8}");
		assertThat(invoices).matches("application-[0-9a-f]{8}");
		assertThat(lockNameOf("注文")).as("stable").isEqualTo(orders);
	}

	@Test
	void longApplicationNamesSharingTheFirst128CharactersGetDistinctLockNames() {
		String prefix = "a".repeat(128);
		String first = lockNameOf(prefix + "-orders");
		String second = lockNameOf(prefix + "-invoices");
		assertThat(first).isNotEqualTo(second).hasSize(128);
		assertThat(second).hasSize(128);
		LockRequest.named(first).build();
	}

	private String lockNameOf(String applicationName) {
		this.environment.setProperty("spring.application.name", applicationName);
		return ForwardLockRequests.lockName(this.properties, this.environment);
	}

	@Test
	void nameFallsBackToApplicationWhenNothingUsableIsLeft() {
		assertThat(ForwardLockRequests.lockName(this.properties, this.environment)).isEqualTo("application");
		this.environment.setProperty("spring.application.name", "...");
		assertThat(ForwardLockRequests.lockName(this.properties, this.environment)).matches("application-[0-9a-f]{8}");
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
