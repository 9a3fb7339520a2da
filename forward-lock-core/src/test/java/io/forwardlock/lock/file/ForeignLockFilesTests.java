package io.forwardlock.lock.file;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.HolderRecord;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for how {@link ForeignLockFiles} reads the kernel's lock table: a holder with its
 * PID, a holder without a visible owner, or nobody, and never a fourth answer. Attempts
 * on another user's files are in {@code FileLockTwoUsersMultiProcessTests}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForeignLockFilesTests {

	@Test
	void posixLockOnTheInodeNamesItsHoldersPid() {
		String table = """
				1: POSIX  ADVISORY  WRITE 77 08:01:555 0 EOF
				2: POSIX  ADVISORY  WRITE 4242 08:01:123 1 EOF
				""";
		assertThat(ForeignLockFiles.holderIn(table, 123)).map(HolderRecord::pid).contains(4242L);
	}

	@Test
	void lockWithoutAVisibleOwnerIsAnUnknownHolder() {
		String ofdLock = "1: OFDLCK ADVISORY  WRITE -1 08:01:123 0 EOF\n";
		String otherNamespace = "1: POSIX  ADVISORY  WRITE 0 08:01:123 0 EOF\n";
		assertThat(ForeignLockFiles.holderIn(ofdLock, 123)).contains(HolderRecord.unknown());
		assertThat(ForeignLockFiles.holderIn(otherNamespace, 123)).contains(HolderRecord.unknown());
	}

	@Test
	void tableWithoutALockOnTheInodeShowsNobody() {
		String table = """
				1: POSIX  ADVISORY  WRITE 77 08:01:555 0 EOF
				1: -> POSIX  ADVISORY  WRITE 78 08:01:123 0 EOF
				""";
		assertThat(ForeignLockFiles.holderIn(table, 123)).isEmpty();
		assertThat(ForeignLockFiles.holderIn("", 123)).isEmpty();
	}

}
