package io.forwardlock.lock.file;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Tests for the fencing tokens of the {@link FileLockBackend}: with the heartbeat on,
 * every acquisition gets a token under the takeover lock, larger than every token issued
 * for the lock before, also when the clock stepped back or the takeover file was lost.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLockFencingTokenTests {

	@TempDir
	Path directory;

	private final LockRequest request = LockRequest.named("app")
		.heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(3))
		.build();

	private final List<LockLease> leases = new ArrayList<>();

	@AfterEach
	void release() {
		this.leases.forEach(LockLease::release);
	}

	private LockLease acquire(LockRequest request) {
		LockLease lease = new FileLockBackend(this.directory).tryAcquire(request).orElseThrow();
		this.leases.add(lease);
		return lease;
	}

	private long token(LockLease lease) {
		assertThat(lease.fencingToken()).as("fencing token").isPresent();
		return lease.fencingToken().getAsLong();
	}

	private Path takeoverFile() {
		return this.directory.resolve("app.lock.takeover");
	}

	@Test
	void everyAcquisitionWithTheHeartbeatOnGetsALargerTokenThanTheOneBefore() throws Exception {
		long previous = 0;
		for (int i = 0; i < 5; i++) {
			LockLease lease = acquire(this.request);
			long token = token(lease);
			assertThat(token).isGreaterThan(previous);
			assertThat(Files.readString(takeoverFile()))
				.isEqualTo(ProcessHandle.current().pid() + "\nfencing-token=" + token + "\n");
			lease.release();
			previous = token;
		}
	}

	@Test
	void tokenIsLargerThanTheLastOneWhenTheClockIsBehindIt() throws Exception {
		// as after the clock stepped back by an hour: the last token is ahead of it
		long ahead = TakeoverFile.wallClockMicros() + TimeUnit.HOURS.toMicros(1);
		Files.writeString(takeoverFile(), "1\nfencing-token=" + ahead + "\n");
		assertThat(token(acquire(this.request))).isEqualTo(ahead + 1);
	}

	@Test
	void tokenStillGrowsWhenTheTakeoverFileWasDeleted() throws Exception {
		LockLease first = acquire(this.request);
		long before = token(first);
		first.release();
		// a tmp cleaner, or a reboot that emptied /run: the wall clock carries on
		Files.delete(takeoverFile());
		assertThat(token(acquire(this.request))).isGreaterThan(before);
	}

	@Test
	void damagedOrPlantedTokensFallBackToTheClock() throws Exception {
		long now = TakeoverFile.wallClockMicros();
		for (String content : new String[] { "fencing-token=abc\n", "1\nfencing-token=-7\n",
				"1\nfencing-token=" + Long.MAX_VALUE + "\n" }) {
			Files.writeString(takeoverFile(), content);
			LockLease lease = acquire(this.request);
			assertThat(token(lease)).as(content).isBetween(now, Long.MAX_VALUE - 1);
			lease.release();
		}
	}

	@Test
	void tokenIsReadOnlyFromItsOwnLine() {
		assertThat(TakeoverFile.parseToken("42\nfencing-token=17\n".getBytes(StandardCharsets.US_ASCII))).hasValue(17);
		assertThat(TakeoverFile.parseToken("42\n".getBytes(StandardCharsets.US_ASCII))).isEmpty();
		assertThat(TakeoverFile.parseToken(new byte[0])).isEmpty();
	}

	@Test
	void leaseWithTheHeartbeatOffHasNoTokenAndDoesNotResetTheCounter() throws Exception {
		LockLease first = acquire(this.request);
		long before = token(first);
		first.release();
		LockLease without = acquire(LockRequest.named("app").build());
		assertThat(without.fencingToken()).isEmpty();
		without.release();
		assertThat(token(acquire(this.request))).isGreaterThan(before);
	}

	@Test
	void leaseKeepsItsTokenWhenAVerificationCreatesTheDeletedLockFileAgain() throws Exception {
		LockLease lease = acquire(this.request);
		long token = token(lease);
		Files.delete(this.directory.resolve("app.lock"));
		Verification verification = lease.verify();
		assertThat(verification.status()).as(verification.detail()).isEqualTo(Verification.Status.HEALED);
		assertThat(lease.fencingToken()).hasValue(token);
		// nobody can be given this token again
		assertThat(TakeoverFile.parseToken(Files.readAllBytes(takeoverFile())).getAsLong()).isGreaterThan(token);
	}

	@Test
	void rootReplacingTheLeftoverOfAnotherUserGetsALargerTokenThanTheLastOne() throws Exception {
		// only root can give a file away; CI runs as root
		assumeThat(ProcessOwner.uid()).as("running as root").isZero();
		long ahead = TakeoverFile.wallClockMicros() + TimeUnit.HOURS.toMicros(1);
		Files.writeString(takeoverFile(), "1\nfencing-token=" + ahead + "\n");
		Path lockFile = this.directory.resolve("app.lock");
		Files.writeString(lockFile, "1\n");
		Files.setAttribute(lockFile, "unix:uid", 65534, LinkOption.NOFOLLOW_LINKS);
		LockLease lease = acquire(this.request);
		assertThat(Files.getAttribute(lockFile, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0);
		assertThat(lease.fencingToken()).isEqualTo(OptionalLong.of(ahead + 1));
	}

}
