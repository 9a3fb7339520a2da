package io.forwardlock.actuate.health;

import java.util.Map;

import io.forwardlock.actuate.TestLockStatuses;
import io.forwardlock.actuate.TestLockStatuses.MutableLockStatusProvider;
import io.forwardlock.lifecycle.LockState;
import io.forwardlock.lifecycle.LockStatus;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.Verification;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * Tests for {@link ForwardLockHealthIndicator}.
 */
@Timeout(10)
class ForwardLockHealthIndicatorTests {

	private final MutableLockStatusProvider statusProvider = new MutableLockStatusProvider(TestLockStatuses.acquired());

	private final ForwardLockHealthIndicator indicator = new ForwardLockHealthIndicator(this.statusProvider);

	@Test
	void healthWhenHeldAndVerifiedIsUpWithDetails() {
		Health health = this.indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("state", "ACQUIRED")
			.containsEntry("backend", "file")
			.containsEntry("lockName", "billing")
			.containsEntry("location", "/var/lock/billing.lock")
			.containsEntry("pid", 4242L)
			.containsEntry("hostname", "host-a")
			.containsEntry("acquiredAt", "2026-11-28T01:00:00Z")
			.containsEntry("lastHeartbeat", "2026-11-28T01:05:00Z");
		assertThat(health.getDetails().get("lastVerification"))
			.isEqualTo(Map.of("status", "HELD", "verifiedAt", "2026-11-28T01:05:30Z", "detail", "lock held"));
	}

	@Test
	void healthWhenHeldAndNeverVerifiedIsUp() {
		this.statusProvider.setStatus(TestLockStatuses.withVerification(LockState.ACQUIRED, null));
		Health health = this.indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).doesNotContainKey("lastVerification");
	}

	@Test
	void healthWhenHealedIsUpAndSaysWhatWasRepaired() {
		this.statusProvider.setStatus(TestLockStatuses.withVerification(LockState.ACQUIRED, new Verification(
				Verification.Status.HEALED, "re-created deleted lock file", null, TestLockStatuses.VERIFIED_AT)));
		Health health = this.indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails().get("lastVerification")).asInstanceOf(InstanceOfAssertFactories.MAP)
			.containsEntry("status", "HEALED")
			.containsEntry("detail", "re-created deleted lock file");
	}

	@Test
	void healthWhenLostIsDownAndNamesTheNewHolder() {
		this.statusProvider.setStatus(TestLockStatuses.lost());
		Health health = this.indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("state", "LOST");
		assertThat(health.getDetails().get("lastVerification")).asInstanceOf(InstanceOfAssertFactories.MAP)
			.containsEntry("status", "LOST")
			.containsEntry("detail", "lock file replaced")
			.containsEntry("currentHolder", "PID 777 on host-b (billing) since 2026-11-28T01:05:30Z");
	}

	@Test
	void healthWhenStillAcquiredButLastVerificationLostIsDown() {
		this.statusProvider.setStatus(TestLockStatuses.withVerification(LockState.ACQUIRED,
				new Verification(Verification.Status.LOST, "lock file replaced", null, TestLockStatuses.VERIFIED_AT)));
		assertThat(this.indicator.health().getStatus()).isEqualTo(Status.DOWN);
	}

	@Test
	void healthWhenOnStandbyOrReleasedIsDown() {
		for (LockState state : new LockState[] { LockState.STANDBY, LockState.RELEASED }) {
			this.statusProvider.setStatus(TestLockStatuses.withVerification(state, null));
			Health health = this.indicator.health();
			assertThat(health.getStatus()).as(state.name()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails()).containsEntry("state", state.name());
		}
	}

	@Test
	void healthWhenNotStartedIsDownAndLeavesUnknownDetailsOut() {
		this.statusProvider.setStatus(TestLockStatuses.notStarted());
		Health health = this.indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsOnlyKeys("state");
	}

	@Test
	void healthWhenHolderPidUnknownLeavesPidOut() {
		this.statusProvider.setStatus(new LockStatus(LockState.STANDBY, "file", "billing", "/var/lock/billing.lock",
				HolderRecord.unknown(), false, null, null, null, null, null, null));
		assertThat(this.indicator.health().getDetails()).doesNotContainKeys("pid", "hostname", "acquiredAt");
	}

	@Test
	void createWithoutStatusProviderFails() {
		assertThatNullPointerException().isThrownBy(() -> new ForwardLockHealthIndicator(null))
			.withMessageContaining("statusProvider");
	}

}
