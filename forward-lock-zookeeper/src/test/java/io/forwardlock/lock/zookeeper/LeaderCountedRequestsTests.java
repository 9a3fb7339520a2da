package io.forwardlock.lock.zookeeper;

import java.time.Duration;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LeaderCountedRequests}, on made-up monotonic times in milliseconds.
 */
class LeaderCountedRequestsTests {

	/**
	 * 10 s: the proof gap is 3 s.
	 */
	private final LeaderCountedRequests requests = new LeaderCountedRequests(Duration.ofSeconds(10));

	@Test
	void proofGapIsAQuarterOfTheSessionTimeoutAndATwentiethMore() {
		assertThat(LeaderCountedRequests.proofGap(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(3));
		assertThat(LeaderCountedRequests.proofGap(Duration.ofSeconds(2))).isEqualTo(Duration.ofMillis(600));
	}

	@Test
	void theFirstConfirmationProvesNothing() {
		assertThat(confirmed(0, 5)).isEmpty();
	}

	@Test
	void aConfirmationSentSoonAfterAnEarlierAnswerDoesNotProveThatTheLeaderCountedTheEarlierRequest() {
		confirmed(0, 5);
		// a follower may answer both before its next ping carries either to the leader
		assertThat(confirmed(1250, 1255)).isEmpty();
		assertThat(confirmed(2500, 2505)).isEmpty();
	}

	@Test
	void aConfirmationSentAProofGapAfterAnEarlierAnswerProvesTheEarlierRequest() {
		confirmed(0, 5);
		assertThat(confirmed(3005, 3010)).hasValue(0);
	}

	@Test
	void aConfirmationThatProvesSeveralRequestsDatesTheDeadlineFromTheLatestOfThem() {
		confirmed(0, 5);
		confirmed(1250, 1255);
		confirmed(2500, 2505);
		// after an outage of the probes: 6000 proves all three
		assertThat(confirmed(6000, 6005)).hasValue(2500);
	}

	@Test
	void withAProbeEverySixteenthEachConfirmationProvesTheRequestFiveProbesBefore() {
		for (long probe = 0; probe < 5; probe++) {
			assertThat(confirmed(probe * 625, probe * 625 + 5)).isEmpty();
		}
		for (long probe = 5; probe < 20; probe++) {
			// 3120 ms after the answer of the request five probes before, 2495 ms
			// after the one four probes before
			assertThat(confirmed(probe * 625, probe * 625 + 5)).hasValue((probe - 5) * 625);
		}
	}

	@Test
	void aProvedRequestIsNotReturnedAgain() {
		confirmed(0, 5);
		assertThat(confirmed(3005, 3010)).hasValue(0);
		assertThat(confirmed(3100, 3105)).isEmpty();
	}

	@Test
	void theGapIsCountedFromTheAnswerNotFromTheSendingOfTheEarlierRequest() {
		// a slow answer: the follower may have received the request just before it
		// answered
		confirmed(0, 2000);
		assertThat(confirmed(3500, 3505)).isEmpty();
		assertThat(confirmed(5000, 5005)).hasValue(0);
	}

	@Test
	void answersThatComeOutOfOrderProveOnlyWhatTheirOwnSendingTimeProves() {
		confirmed(0, 5);
		// a verification sent at 3100 is answered after a probe sent at 3200, which has
		// proved 0 already; the verification proves nothing more
		assertThat(confirmed(3200, 3205)).hasValue(0);
		assertThat(confirmed(3100, 3210)).isEmpty();
		// the probe (answered at 3205) is proved by a request sent 3 s after that
		assertThat(confirmed(6206, 6210)).hasValue(3200);
	}

	private OptionalLong confirmed(long sentAtMillis, long answeredAtMillis) {
		OptionalLong counted = this.requests.confirmed(Duration.ofMillis(sentAtMillis).toNanos(),
				Duration.ofMillis(answeredAtMillis).toNanos());
		return counted.isPresent() ? OptionalLong.of(Duration.ofNanos(counted.getAsLong()).toMillis())
				: OptionalLong.empty();
	}

}
