package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.LockFiles.FileFacts;
import io.forwardlock.lock.file.Takeover.Sighting;
import io.forwardlock.lock.file.Takeover.Watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for how {@link Takeover} judges a holder hung: by the holder's declared values,
 * on the contender's own monotonic clock (injected here), from the last change it saw.
 * Takeovers of real hung processes are in {@code FileLockTakeoverMultiProcessTests}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TakeoverTests {

	private static final long PID = 4242;

	@TempDir
	Path directory;

	private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

	private final Watch watch = new Watch(this.nanos::get);

	private LockTarget target;

	@BeforeEach
	void prepare() throws Exception {
		this.target = new FileLockBackend(this.directory).target(LockRequest.named("app").build(), true);
		Files.write(this.target.path(), HolderFiles.pidContent(PID));
	}

	private void declare(LockRequest holderRequest) throws Exception {
		HolderRecord holder = new HolderRecord(PID, "host", null, Instant.parse("2026-12-01T00:00:00Z"), "app", "id-1");
		Files.write(this.target.holderFile(), HolderFiles.format(holder, holderRequest));
	}

	private static LockRequest heartbeat(long intervalMillis, long staleMillis) {
		return LockRequest.named("app")
			.heartbeat(Duration.ofMillis(intervalMillis), Duration.ofMillis(staleMillis))
			.build();
	}

	private Sighting sight() throws Exception {
		FileFacts facts = LockFiles.lstat(this.target.path());
		return Takeover.sight(this.target, facts);
	}

	private boolean staleAfter(long millis) throws Exception {
		this.nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
		return this.watch.isStale(this.target.key(), sight());
	}

	@Test
	void holderIsHungOnlyAfterItsDeclaredStaleTimeoutPlusIntervalWithoutChange() throws Exception {
		declare(heartbeat(1000, 3000));
		assertThat(staleAfter(0)).as("first sighting").isFalse();
		assertThat(staleAfter(3999)).isFalse();
		assertThat(staleAfter(1)).isTrue();
	}

	@Test
	void everyHeartbeatRestartsTheWaitWhateverTimeTheHolderClockWrites() throws Exception {
		declare(heartbeat(1000, 3000));
		assertThat(staleAfter(0)).isFalse();
		assertThat(staleAfter(3500)).isFalse();
		// the holder's clock stepped back: its heartbeat writes an older time, still a
		// change
		Files.setLastModifiedTime(this.target.path(), FileTime.fromMillis(0));
		assertThat(staleAfter(600)).isFalse();
		assertThat(staleAfter(3500)).isFalse();
		assertThat(staleAfter(500)).isTrue();
	}

	@Test
	void modificationTimeFarInThePastDoesNotMakeAFreshSightingStale() throws Exception {
		// what a contender whose wall clock runs 120 s ahead sees
		declare(heartbeat(1000, 3000));
		Files.setLastModifiedTime(this.target.path(), FileTime.fromMillis(System.currentTimeMillis() - 120_000));
		assertThat(staleAfter(0)).isFalse();
		assertThat(staleAfter(1000)).isFalse();
	}

	@Test
	void holderThatDeclaresNoHeartbeatIsNeverHung() throws Exception {
		declare(LockRequest.named("app").build());
		assertThat(staleAfter(0)).isFalse();
		assertThat(staleAfter(TimeUnit.DAYS.toMillis(365))).isFalse();
	}

	@Test
	void holderWithoutRecordIsNeverHung() throws Exception {
		assertThat(staleAfter(0)).isFalse();
		assertThat(staleAfter(TimeUnit.DAYS.toMillis(365))).isFalse();
	}

	@Test
	void recordOfAnotherPidIsNeverHung() throws Exception {
		declare(heartbeat(1000, 3000));
		Files.write(this.target.path(), HolderFiles.pidContent(PID + 1));
		assertThat(staleAfter(0)).isFalse();
		assertThat(staleAfter(TimeUnit.DAYS.toMillis(365))).isFalse();
	}

	@Test
	void holderDeclaredValuesWinOverTheContenderOwnSettings() throws Exception {
		// the contender's own request is not consulted at all: only the holder's record
		declare(heartbeat(10_000, 60_000));
		assertThat(staleAfter(0)).isFalse();
		assertThat(staleAfter(69_999)).isFalse();
		assertThat(staleAfter(1)).isTrue();
	}

	@Test
	void takeoverIsPossibleOnlyWhileTheRecordDeclaresAHeartbeat() throws Exception {
		assertThat(Takeover.possible(this.target)).isFalse();
		declare(LockRequest.named("app").build());
		assertThat(Takeover.possible(this.target)).isFalse();
		declare(heartbeat(1000, 3000));
		assertThat(Takeover.possible(this.target)).isTrue();
	}

	@Test
	void takeoverIsPossibleWhenTheHolderRecordIsThereButCannotBeRead() throws Exception {
		// what this acquirer cannot read, a contender may: confirm under the takeover
		// lock
		Files.createDirectory(this.target.holderFile());
		assertThat(Takeover.possible(this.target)).isTrue();
	}

	@Test
	void waiterThatLockedADeletedTakeoverFileStartsOverInsteadOfEntering() throws Exception {
		assertThat(TakeoverLock.serialized(this.target, () -> true, false)).isTrue();
		ExecutorService executor = Executors.newSingleThreadExecutor();
		// the holder stands in for another process: threads of this JVM wait for each
		// other before they open the takeover file at all (TakeoverLockTests)
		try (FileChannel holder = FileChannel.open(this.target.takeoverFile(), StandardOpenOption.WRITE)) {
			FileLock held = holder.lock();
			Future<String> waiter = executor
				.submit(() -> TakeoverLock.serialized(this.target, () -> "entered", "busy"));
			// the waiter has the takeover file open and waits for its lock
			await().atMost(Duration.ofSeconds(30)).until(() -> descriptorsOn(this.target.takeoverFile()) == 2);
			Files.delete(this.target.takeoverFile());
			try (FileChannel newcomer = FileChannel.open(this.target.takeoverFile(), StandardOpenOption.CREATE_NEW,
					StandardOpenOption.WRITE)) {
				// a newcomer created a new takeover file and is inside
				newcomer.lock();
				held.release();
				assertThat(waiter.get(30, TimeUnit.SECONDS)).as("waiter entered beside the newcomer").isEqualTo("busy");
			}
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void takeoverFileIsRewrittenOnEveryUseSoThatCleanersDoNotAgeItOut() throws Exception {
		assertThat(TakeoverLock.serialized(this.target, () -> true, false)).isTrue();
		Files.setLastModifiedTime(this.target.takeoverFile(), FileTime.fromMillis(0));
		assertThat(TakeoverLock.serialized(this.target, () -> true, false)).isTrue();
		assertThat(Files.getLastModifiedTime(this.target.takeoverFile()).toMillis()).isPositive();
	}

	@Test
	void takeoverFileThatIsAFifoIsRefusedWithoutBlocking() throws Exception {
		assumeThat(new ProcessBuilder("mkfifo", this.target.takeoverFile().toString()).start().waitFor()).isZero();
		assertThatExceptionOfType(LockException.class)
			.isThrownBy(() -> TakeoverLock.serialized(this.target, () -> true, false))
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.UNSAFE_LOCK_FILE));
	}

	private static long descriptorsOn(Path file) throws IOException {
		String name = file.toRealPath().toString();
		try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
			return entries.filter((entry) -> {
				try {
					return Files.readSymbolicLink(entry).toString().equals(name);
				}
				catch (IOException ex) {
					return false;
				}
			}).count();
		}
	}

}
