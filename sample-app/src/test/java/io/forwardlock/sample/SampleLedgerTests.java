package io.forwardlock.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link SampleLedger}'s reading of a ledger as a system that refuses smaller
 * fencing tokens would read it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SampleLedgerTests {

	@TempDir
	Path dir;

	private SampleLedger ledger(String... lines) throws Exception {
		Path file = this.dir.resolve("ledger.txt");
		Files.write(file, List.of(lines));
		return new SampleLedger(file);
	}

	private static String tick(long number, long pid, long token) {
		return "tick " + number + " pid=" + pid + " at=2026-12-02T04:00:00Z token=" + token;
	}

	@Test
	void theTickInFlightWhenTheHolderWasPausedIsFencedOff() throws Exception {
		// as in CI: the old holder's tick that had passed its check lands after the new
		// holder's first two
		SampleLedger ledger = ledger(tick(1, 100, 5), tick(2, 100, 5), tick(1, 200, 9), tick(2, 200, 9),
				tick(3, 100, 5), tick(3, 200, 9));
		assertThatCode(() -> ledger.assertPausedHolderIsFencedOffAfterFirstOf(100, 200)).doesNotThrowAnyException();
		assertThatExceptionOfType(AssertionError.class).isThrownBy(ledger::assertFencingTokensNeverDecrease);
	}

	@Test
	void moreThanOneLateTickOfThePausedHolderFails() throws Exception {
		SampleLedger ledger = ledger(tick(1, 100, 5), tick(1, 200, 9), tick(2, 100, 5), tick(3, 100, 5));
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> ledger.assertPausedHolderIsFencedOffAfterFirstOf(100, 200));
	}

	@Test
	void aLateTickThatAFencingSystemWouldAcceptFails() throws Exception {
		// the old holder writing on with a token that is not smaller: fencing could not
		// help
		SampleLedger ledger = ledger(tick(1, 100, 9), tick(1, 200, 9), tick(2, 100, 9));
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> ledger.assertPausedHolderIsFencedOffAfterFirstOf(100, 200));
	}

	@Test
	void theOldHolderMayTickAgainUnderALargerTokenAfterItsNewAcquisition() throws Exception {
		SampleLedger ledger = ledger(tick(1, 100, 5), tick(1, 200, 9), tick(2, 100, 12));
		assertThatCode(() -> ledger.assertPausedHolderIsFencedOffAfterFirstOf(100, 200)).doesNotThrowAnyException();
		assertThatCode(ledger::assertFencingTokensNeverDecrease).doesNotThrowAnyException();
	}

	@Test
	void ticksWithoutATokenFail() throws Exception {
		SampleLedger ledger = ledger("tick 1 pid=100 at=2026-12-02T04:00:00Z", tick(1, 200, 9));
		assertThatExceptionOfType(AssertionError.class).isThrownBy(ledger::assertFencingTokensNeverDecrease);
	}

}
