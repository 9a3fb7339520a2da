package io.forwardlock.lifecycle;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MarkDownOnLockLost}.
 */
class MarkDownOnLockLostTests {

	@Test
	void publishesRefusingTraffic() {
		List<Object> published = new ArrayList<>();
		new MarkDownOnLockLost(published::add).lockLost(ShutdownOnLockLostTests.lostEvent());
		assertThat(published).singleElement()
			.isInstanceOfSatisfying(AvailabilityChangeEvent.class,
					(event) -> assertThat(event.getState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC));
	}

}
