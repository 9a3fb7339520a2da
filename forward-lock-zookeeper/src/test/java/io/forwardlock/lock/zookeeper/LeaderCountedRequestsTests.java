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

	/**
	 * A sixteenth of 10 s.
	 */
	private static final long PERIOD = 625;

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

	@Test
	void aBurstOfConfirmationsKeepsProvingTheRequestsAProofGapBefore() {
		// acquisitions in a loop, one every millisecond for 10 s
		for (long at = 0; at < 10000; at++) {
			confirmed(at, at);
		}
		// the kept requests are at most a sixty-fourth of the session timeout apart
		assertThat(countedSince(this.requests).getAsLong()).isBetween(9999L - 3000 - 157, 9999L - 3000);
	}

	@Test
	void knowsNothingCountedBeforeAProofUnlessTheSessionIsKnownToBeCreatedLater() {
		assertThat(countedSince(this.requests)).isEmpty();
		LeaderCountedRequests started = new LeaderCountedRequests(Duration.ofSeconds(10), OptionalLong.of(nanos(100)));
		assertThat(countedSince(started)).hasValue(100);
	}

	@Test
	void whatIsCountedMovesOnWithEachProofAndNeverBack() {
		LeaderCountedRequests started = new LeaderCountedRequests(Duration.ofSeconds(10), OptionalLong.of(nanos(-500)));
		confirm(started, 0, 5);
		confirm(started, 3005, 3010);
		assertThat(countedSince(started)).hasValue(0);
		// an answer that came late proves a request older than the one already proved
		confirm(started, -200, 3020);
		confirm(started, 6100, 6105);
		assertThat(countedSince(started)).hasValue(3005);
	}

	@Test
	void aNewLeaseIsNotInTimeWithoutAnythingCounted() {
		confirm(this.requests, 0, 5);
		assertThat(inTime(this.requests, 5)).isFalse();
	}

	@Test
	void aCreateSoonAfterTheClientStartedIsInTime() {
		// the proof of the create is due 3 s after its answer, and the deadline dated
		// from the start is 9 s after it
		LeaderCountedRequests started = new LeaderCountedRequests(Duration.ofSeconds(10), OptionalLong.of(nanos(0)));
		confirm(started, 500, 505);
		assertThat(inTime(started, 505)).isTrue();
	}

	@Test
	void aCreateLongAfterTheClientStartedIsNotInTime() {
		// the deadline from the start, 9 s, comes less than an eighth of the session
		// timeout after the first probe that can prove the create (8.63 s)
		LeaderCountedRequests started = new LeaderCountedRequests(Duration.ofSeconds(10), OptionalLong.of(nanos(0)));
		confirm(started, 5000, 5005);
		assertThat(inTime(started, 5005)).isFalse();
	}

	@Test
	void aCreateAfterAStandbysProbesIsInTimeEvenLongAfterTheStart() {
		LeaderCountedRequests started = new LeaderCountedRequests(Duration.ofSeconds(10), OptionalLong.of(nanos(0)));
		for (long probe = 0; probe <= 32; probe++) {
			confirm(started, probe * 625, probe * 625 + 5);
		}
		// 20 s after the start; the probe five before the latest is proved
		confirm(started, 20010, 20015);
		assertThat(countedSince(started)).hasValue(16875);
		assertThat(inTime(started, 20015)).isTrue();
	}

	@Test
	void aCreateIsNotInTimeWhenNothingWaitsForAProofThatWouldMoveTheDeadline() {
		LeaderCountedRequests started = new LeaderCountedRequests(Duration.ofSeconds(10), OptionalLong.of(nanos(1000)));
		// answered, but sent before the moment already counted
		confirm(started, 900, 1005);
		assertThat(inTime(started, 1005)).isFalse();
	}

	private OptionalLong confirmed(long sentAtMillis, long answeredAtMillis) {
		OptionalLong counted = this.requests.confirmed(Duration.ofMillis(sentAtMillis).toNanos(),
				Duration.ofMillis(answeredAtMillis).toNanos());
		return counted.isPresent() ? OptionalLong.of(Duration.ofNanos(counted.getAsLong()).toMillis())
				: OptionalLong.empty();
	}

	private static void confirm(LeaderCountedRequests requests, long sentAtMillis, long answeredAtMillis) {
		requests.confirmed(nanos(sentAtMillis), nanos(answeredAtMillis));
	}

	private static boolean inTime(LeaderCountedRequests requests, long nowMillis) {
		return requests.provesInTime(nanos(nowMillis), nanos(PERIOD));
	}

	private static OptionalLong countedSince(LeaderCountedRequests requests) {
		OptionalLong counted = requests.countedSince();
		return counted.isPresent() ? OptionalLong.of(Duration.ofNanos(counted.getAsLong()).toMillis())
				: OptionalLong.empty();
	}

	private static long nanos(long millis) {
		return Duration.ofMillis(millis).toNanos();
	}

}
