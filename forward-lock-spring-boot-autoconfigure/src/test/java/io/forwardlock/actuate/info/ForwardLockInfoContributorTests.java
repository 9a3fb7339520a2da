package io.forwardlock.actuate.info;

import io.forwardlock.actuate.TestLockStatuses;
import io.forwardlock.actuate.TestLockStatuses.MutableLockStatusProvider;
import io.forwardlock.actuate.info.ForwardLockInfoContributor.ForwardLockSummary;
import io.forwardlock.lifecycle.LockState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.actuate.info.Info;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardLockInfoContributor}.
 */
@Timeout(10)
class ForwardLockInfoContributorTests {

	private final MutableLockStatusProvider statusProvider = new MutableLockStatusProvider(TestLockStatuses.acquired());

	private final ForwardLockInfoContributor contributor = new ForwardLockInfoContributor(this.statusProvider);

	@Test
	void contributeAddsSummaryUnderForwardLockKey() {
		assertThat(contribute().getDetails()).containsOnlyKeys("forwardLock");
		assertThat(contribute().get("forwardLock"))
			.isEqualTo(new ForwardLockSummary(LockState.ACQUIRED, "file", "billing", 4242L, "host-a"));
	}

	@Test
	void contributeBeforeStartHasNoHolder() {
		this.statusProvider.setStatus(TestLockStatuses.notStarted());
		assertThat(contribute().get("forwardLock"))
			.isEqualTo(new ForwardLockSummary(LockState.NOT_STARTED, null, null, null, null));
	}

	private Info contribute() {
		Info.Builder builder = new Info.Builder();
		this.contributor.contribute(builder);
		return builder.build();
	}

}
