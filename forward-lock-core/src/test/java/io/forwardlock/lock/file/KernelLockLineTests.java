package io.forwardlock.lock.file;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link KernelLockLine}, the one reader of the kernel's lock lines that
 * {@link OsLocks} and {@link ForeignLockFiles} share.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KernelLockLineTests {

	@Test
	void heldPosixLockShowsItsOwnerAndFile() {
		KernelLockLine lock = KernelLockLine.parse("2: POSIX  ADVISORY  WRITE 4242 fe:00:2146319 1 EOF");
		assertThat(lock).isEqualTo(new KernelLockLine("POSIX", false, "4242", "fe:00:2146319"));
		assertThat(lock.names(2146319)).isTrue();
		assertThat(lock.ownerKnown()).isTrue();
	}

	@Test
	void fdinfoLineReadsLikeATableLine() {
		KernelLockLine lock = KernelLockLine.parse("\t1: POSIX  ADVISORY  WRITE 3384 fe:00:2146319 0 0");
		assertThat(lock).isEqualTo(new KernelLockLine("POSIX", false, "3384", "fe:00:2146319"));
	}

	@Test
	void waiterIsToldApartFromTheHolder() {
		KernelLockLine waiter = KernelLockLine.parse("2: -> POSIX  ADVISORY  WRITE 4243 08:01:123 0 EOF");
		assertThat(waiter.waiter()).isTrue();
		assertThat(waiter.pid()).isEqualTo("4243");
		assertThat(waiter.names(123)).isTrue();
	}

	@Test
	void inodeMustMatchWholeNotAsASuffixOfALongerNumber() {
		KernelLockLine lock = KernelLockLine.parse("1: POSIX  ADVISORY  WRITE 42 08:01:4123 0 EOF");
		assertThat(lock.names(123)).isFalse();
		assertThat(lock.names(4123)).isTrue();
	}

	@Test
	void ownerIsUnknownForOpenFileDescriptionLocksAndForeignPidNamespaces() {
		assertThat(KernelLockLine.parse("1: OFDLCK ADVISORY  WRITE -1 08:01:123 0 EOF").ownerKnown()).isFalse();
		assertThat(KernelLockLine.parse("1: POSIX  ADVISORY  WRITE 0 08:01:123 0 EOF").ownerKnown()).isFalse();
	}

	@Test
	void deviceIsComparedWithTheNumberStatGives() {
		KernelLockLine lock = KernelLockLine.parse("1: POSIX  ADVISORY  WRITE 42 fe:00:123 0 EOF");
		assertThat(lock.onDevice(0xfe00)).isTrue();
		assertThat(lock.onDevice(0x801)).isFalse();
		KernelLockLine tmpfs = KernelLockLine.parse("1: POSIX  ADVISORY  WRITE 42 00:1a:123 0 EOF");
		assertThat(tmpfs.onDevice(0x1a)).isTrue();
		// a large minor number, as the kernel hands out to anonymous devices: 0:300
		KernelLockLine large = KernelLockLine.parse("1: POSIX  ADVISORY  WRITE 42 00:12c:123 0 EOF");
		assertThat(large.onDevice(0x10002c)).isTrue();
	}

	@Test
	void lineWithTooFewFieldsIsNoLock() {
		assertThat(KernelLockLine.parse("1: POSIX  ADVISORY")).isNull();
		assertThat(KernelLockLine.parse("")).isNull();
	}

}
