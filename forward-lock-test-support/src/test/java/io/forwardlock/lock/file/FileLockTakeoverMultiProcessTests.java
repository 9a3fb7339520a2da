package io.forwardlock.lock.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import io.forwardlock.lock.file.testsupport.ChildJvm;
import io.forwardlock.lock.file.testsupport.LockHolderProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Heartbeat takeovers of {@link FileLockBackend} between real processes: a contender
 * judges a holder hung only by the holder's declared heartbeat, from changes it saw on
 * its own monotonic clock, so that a holder without heartbeat, a holder paused for less
 * than its stale timeout, and a healthy holder seen through a clock that runs ahead are
 * never taken over; and a holder that was taken over learns of it at its first heartbeat.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FileLockTakeoverMultiProcessTests {

	private static final Duration ANSWER = Duration.ofSeconds(60);

	@TempDir
	Path directory;

	private final List<ChildJvm> children = new ArrayList<>();

	private final List<LockLease> leases = new ArrayList<>();

	@AfterEach
	void cleanUp() {
		this.leases.forEach(LockLease::release);
		this.children.forEach(ChildJvm::close);
	}

	private ChildJvm holder(String... heartbeat) throws Exception {
		List<String> args = new ArrayList<>(List.of(this.directory.toString(), "app"));
		args.addAll(List.of(heartbeat));
		ChildJvm child = ChildJvm.start(LockHolderProcess.class, args.toArray(String[]::new));
		this.children.add(child);
		child.await(ANSWER, "READY");
		assertThat(child.ask("acquire", ANSWER, "ACQUIRED", "BUSY", "ERROR")).isEqualTo("ACQUIRED");
		return child;
	}

	private static LockRequest contender(long intervalMillis, long staleMillis) {
		return LockRequest.named("app")
			.heartbeat(Duration.ofMillis(intervalMillis), Duration.ofMillis(staleMillis))
			.build();
	}

	private Path lockFile() {
		return this.directory.resolve("app.lock");
	}

	/**
	 * Let the contender try again and again for a while, failing as soon as it acquires.
	 */
	private void neverAcquires(FileLockBackend backend, LockRequest request, Duration during) {
		long deadline = System.nanoTime() + during.toNanos();
		while (System.nanoTime() < deadline) {
			Optional<LockLease> lease = backend.tryAcquire(request);
			lease.ifPresent(this.leases::add);
			assertThat(lease).as("the contender took the lock over").isEmpty();
			// polling, as a standby does between attempts
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
		}
	}

	private LockLease acquiresWithin(FileLockBackend backend, LockRequest request, Duration within) {
		AtomicReference<LockLease> taken = new AtomicReference<>();
		await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> {
			backend.tryAcquire(request).ifPresent((lease) -> {
				this.leases.add(lease);
				taken.set(lease);
			});
			return taken.get() != null;
		});
		return taken.get();
	}

	@Test
	void contenderWithHeartbeatNeverTakesOverHolderThatDoesNotHeartbeat() throws Exception {
		ChildJvm holder = holder();
		// a holder that has run for a while: its lock file was last written long ago
		Files.setLastModifiedTime(lockFile(), FileTime.fromMillis(System.currentTimeMillis() - 600_000));
		neverAcquires(new FileLockBackend(this.directory), contender(100, 300), Duration.ofSeconds(2));
		assertThat(holder.ask("verify", ANSWER, "VERIFY")).isEqualTo("VERIFY HELD");
	}

	@Test
	void contenderJudgesStalenessByTheHolderDeclaredStaleTimeout() throws Exception {
		ChildJvm holder = holder("100", "30000");
		holder.signal("STOP");
		try {
			// the contender's own 300 ms do not count: the holder declared 30 s
			neverAcquires(new FileLockBackend(this.directory), contender(100, 300), Duration.ofSeconds(2));
		}
		finally {
			holder.signal("CONT");
		}
		assertThat(holder.ask("verify", ANSWER, "VERIFY")).isEqualTo("VERIFY HELD");
	}

	@Test
	void contenderWhoseClockRunsAheadNeverTakesOverHealthyHolder() throws Exception {
		ChildJvm holder = holder("200", "2000");
		// through the eyes of a contender whose wall clock runs 120 s ahead, the lock
		// file was written 120 s ago
		Files.setLastModifiedTime(lockFile(), FileTime.fromMillis(System.currentTimeMillis() - 120_000));
		neverAcquires(new FileLockBackend(this.directory), contender(200, 2000), Duration.ofSeconds(3));
		assertThat(holder.ask("verify", ANSWER, "VERIFY")).isEqualTo("VERIFY HELD");
	}

	@Test
	void holderPausedForLessThanItsStaleTimeoutIsNeverTakenOver() throws Exception {
		ChildJvm holder = holder("1000", "3000");
		FileLockBackend backend = new FileLockBackend(this.directory);
		LockRequest request = contender(1000, 3000);
		// watch the holder beat, then stop it late in its interval, when its last
		// heartbeat is already 0.8 s old: a pause of 2.4 s then makes it 3.2 s old
		long beat = Files.getLastModifiedTime(lockFile()).toMillis();
		await().atMost(ANSWER)
			.pollInterval(Duration.ofMillis(10))
			.until(() -> Files.getLastModifiedTime(lockFile()).toMillis() != beat);
		neverAcquires(backend, request, Duration.ofMillis(800));
		long stopped = System.nanoTime();
		holder.signal("STOP");
		try {
			neverAcquires(backend, request, Duration.ofMillis(2400));
		}
		finally {
			holder.signal("CONT");
		}
		System.out.printf("Holder paused for %d ms and kept its lock%n",
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped));
		assertThat(holder.ask("verify", ANSWER, "VERIFY")).isEqualTo("VERIFY HELD");
		assertThat(holder.ask("heartbeat", ANSWER, "BEAT", "ERROR")).isEqualTo("BEAT");
	}

	@Test
	void holderTakenOverDuringAPauseLearnsOfTheLossAtItsFirstHeartbeat() throws Exception {
		ChildJvm holder = holder("200", "1000");
		long hungToken = Long.parseLong(holder.ask("token", ANSWER, "TOKEN", "ERROR").substring("TOKEN ".length()));
		assertThat(hungToken).as("the holder's fencing token").isPositive();
		holder.signal("STOP");
		LockLease taken;
		try {
			long stopped = System.nanoTime();
			taken = acquiresWithin(new FileLockBackend(this.directory), contender(200, 1000), ANSWER);
			long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
			System.out.printf("Hung holder taken over %d ms into its pause%n", millis);
			assertThat(millis).as("never before the declared stale timeout").isGreaterThanOrEqualTo(1000);
		}
		finally {
			holder.signal("CONT");
		}
		assertThat(holder.ask("heartbeat", ANSWER, "BEAT", "ERROR")).startsWith("ERROR LOCK_LOST");
		// Read by another process: a descriptor of the lock file opened and closed in
		// this
		// process would drop this process's own POSIX lock
		assertThat(readByAnotherProcess(lockFile())).isEqualTo(ProcessHandle.current().pid() + "\n");
		Verification verification = taken.verify();
		assertThat(verification.isHeld()).as(verification.detail()).isTrue();
		// a resource that remembers the largest token it has seen turns the hung
		// holder's late writes away
		assertThat(taken.fencingToken()).isPresent();
		assertThat(taken.fencingToken().getAsLong()).isGreaterThan(hungToken);
	}

	@Test
	void onlyOneOfSeveralContendersTakesOverAndTheTakeoverFileStaysSafe() throws Exception {
		ChildJvm hung = holder("100", "1000");
		hung.signal("STOP");
		List<ChildJvm> contenders = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			ChildJvm contender = ChildJvm.start(LockHolderProcess.class, this.directory.toString(), "app", "100",
					"1000");
			this.children.add(contender);
			contender.await(ANSWER, "READY");
			contenders.add(contender);
		}
		for (ChildJvm contender : contenders) {
			contender.send("poll 6000");
		}
		List<String> answers = new ArrayList<>();
		for (ChildJvm contender : contenders) {
			answers.add(contender.await(ANSWER, "ACQUIRED", "TIMEOUT", "ERROR"));
		}
		assertThat(answers).filteredOn("ACQUIRED"::equals).hasSize(1);
		Optional<String> content = Optional.of(Files.readString(this.directory.resolve("app.lock.takeover")));
		assertThat(content).hasValueSatisfying((text) -> assertThat(text).matches("[0-9]+\nfencing-token=[0-9]+\n"));
		hung.signal("CONT");
		assertThat(hung.ask("verify", ANSWER, "VERIFY")).isEqualTo("VERIFY LOST");
	}

	private static String readByAnotherProcess(Path file) throws Exception {
		Process cat = new ProcessBuilder("cat", file.toString()).start();
		String content = new String(cat.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
		assertThat(cat.waitFor(ANSWER.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		return content;
	}

}
