package io.forwardlock.lock.file;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HeldLocks}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HeldLocksTests {

	private final String key = "/tmp/" + UUID.randomUUID() + ".lock";

	@Test
	void keyCanBeClaimedOnceUntilUnclaimed() {
		assertThat(HeldLocks.claimForAcquisition(this.key)).isTrue();
		assertThat(HeldLocks.claimForAcquisition(this.key)).isFalse();
		HeldLocks.unclaim(this.key);
		assertThat(HeldLocks.claimForAcquisition(this.key)).isTrue();
		HeldLocks.unclaim(this.key);
	}

	@Test
	void inspectionOfClaimedKeyIsToldNotToOpenFile() {
		assertThat(HeldLocks.claimForAcquisition(this.key)).isTrue();
		try {
			HeldLocks.InJvmState state = HeldLocks.beginInspection(this.key);
			assertThat(state).isNotNull();
			assertThat(state.lease()).isNull();
		}
		finally {
			HeldLocks.unclaim(this.key);
		}
	}

	@Test
	void acquisitionWaitsForRunningInspection() throws Exception {
		assertThat(HeldLocks.beginInspection(this.key)).isNull();
		CompletableFuture<Boolean> claim = CompletableFuture.supplyAsync(() -> HeldLocks.claimForAcquisition(this.key));
		assertThat(claim).isNotDone();
		HeldLocks.endInspection(this.key);
		assertThat(claim.get(30, TimeUnit.SECONDS)).isTrue();
		HeldLocks.unclaim(this.key);
	}

	@Test
	void unclaimOfUnknownKeyIsHarmless() {
		HeldLocks.unclaim(this.key);
		assertThat(HeldLocks.claimForAcquisition(this.key)).isTrue();
		HeldLocks.unclaim(this.key);
	}

}
