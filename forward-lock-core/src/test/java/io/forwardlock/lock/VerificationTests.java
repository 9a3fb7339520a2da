package io.forwardlock.lock;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link Verification}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VerificationTests {

	@Test
	void heldAndHealedCountAsHeldButLostDoesNot() {
		assertThat(Verification.held().isHeld()).isTrue();
		assertThat(Verification.healed("re-created").isHeld()).isTrue();
		assertThat(Verification.healed("re-created").detail()).isEqualTo("re-created");
		Verification lost = Verification.lost("replaced", HolderRecord.ofPid(7));
		assertThat(lost.isHeld()).isFalse();
		assertThat(lost.currentHolder()).isEqualTo(HolderRecord.ofPid(7));
	}

	@Test
	void detailIsNeverNullAndStatusIsRequired() {
		assertThat(new Verification(Verification.Status.HELD, null, null, Instant.now()).detail()).isEmpty();
		assertThatExceptionOfType(NullPointerException.class)
			.isThrownBy(() -> new Verification(null, "x", null, Instant.now()));
	}

}
