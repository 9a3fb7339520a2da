package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.file.testsupport.ChildJvm;
import io.forwardlock.lock.file.testsupport.LockHolderProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Issue 9, item 17, with a real clock step: a standby JVM whose wall clock runs 120 s
 * ahead (libfaketime, {@code FAKETIME=+120s}; the monotonic clock is left alone, as an
 * NTP step leaves it) never takes over a healthy holder that heartbeats, and still takes
 * over a holder that stopped. Skips itself where libfaketime is not installed
 * ({@code apt-get install faketime}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FileLockClockStepProcessTests {

	private static final List<Path> LIBFAKETIME = List.of(
			Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"),
			Path.of("/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1"),
			Path.of("/usr/lib/faketime/libfaketimeMT.so.1"), Path.of("/usr/local/lib/faketime/libfaketimeMT.so.1"));

	private static final Duration ANSWER = Duration.ofSeconds(60);

	private static final String[] HEARTBEAT = { "200", "2000" };

	@TempDir
	Path directory;

	private final List<ChildJvm> children = new ArrayList<>();

	private Path libfaketime;

	@BeforeEach
	void findLibfaketime() {
		Optional<Path> found = LIBFAKETIME.stream().filter(Files::isReadable).findFirst();
		assumeThat(found).as("libfaketime (Debian: apt-get install faketime) at one of " + LIBFAKETIME).isPresent();
		this.libfaketime = found.get();
	}

	@AfterEach
	void cleanUp() throws IOException {
		this.children.forEach(ChildJvm::close);
		// libfaketime keeps a shared memory segment and a semaphore per process, named
		// after its PID, and removes them only when the process exits normally: a child
		// that was killed would leave both in /dev/shm, two files per run
		for (ChildJvm child : this.children) {
			Files.deleteIfExists(Path.of("/dev/shm/faketime_shm_" + child.pid()));
			Files.deleteIfExists(Path.of("/dev/shm/sem.faketime_sem_" + child.pid()));
		}
	}

	private ChildJvm start(List<String> prefix) throws Exception {
		List<String> args = new ArrayList<>(List.of(this.directory.toString(), "app"));
		args.addAll(List.of(HEARTBEAT));
		ChildJvm child = ChildJvm.start(prefix, LockHolderProcess.class, args.toArray(String[]::new));
		this.children.add(child);
		child.await(ANSWER, "READY");
		return child;
	}

	@Test
	void standbyWhoseClockRunsAheadNeverTakesOverAHealthyHolderButStillAStoppedOne() throws Exception {
		ChildJvm holder = start(List.of());
		assertThat(holder.ask("acquire", ANSWER, "ACQUIRED", "BUSY", "ERROR")).isEqualTo("ACQUIRED");
		ChildJvm standby = start(
				List.of("env", "LD_PRELOAD=" + this.libfaketime, "FAKETIME=+120s", "FAKETIME_DONT_FAKE_MONOTONIC=1"));
		// seen through the standby's clock, the holder's last heartbeat is 120 s old, 60
		// times its stale timeout; it keeps beating, so the standby must keep out
		assertThat(standby.ask("poll 6000", ANSWER, "ACQUIRED", "TIMEOUT", "ERROR")).isEqualTo("TIMEOUT");
		assertThat(holder.ask("verify", ANSWER, "VERIFY")).isEqualTo("VERIFY HELD");
		// the control: a holder that stopped is taken over, by the same standby
		holder.signal("STOP");
		try {
			assertThat(standby.ask("poll 30000", ANSWER, "ACQUIRED", "TIMEOUT", "ERROR")).isEqualTo("ACQUIRED");
		}
		finally {
			holder.signal("CONT");
		}
		HolderRecord taker = HolderFiles.read(this.directory.resolve("app.lock.holder")).orElseThrow();
		assertThat(taker.pid()).isEqualTo(standby.pid());
		// proof that the standby really ran with its clock ahead
		assertThat(taker.acquiredAt()).isAfter(Instant.now().plusSeconds(100));
		assertThat(holder.ask("heartbeat", ANSWER, "BEAT", "ERROR")).startsWith("ERROR LOCK_LOST");
	}

}
