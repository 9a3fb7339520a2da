package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import io.forwardlock.lock.file.testsupport.ChildJvm;
import io.forwardlock.lock.file.testsupport.LockChurnProcess;
import io.forwardlock.lock.file.testsupport.LockHolderProcess;
import io.forwardlock.lock.file.testsupport.LockProbeProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * How a file lock holder reads the kernel's evidence on a real, busy host: thousands of
 * other locks and heavy churn, a PID namespace without its own {@code /proc}, and a lock
 * table that never shows the holder. A standby waiting in the kernel is the outside
 * witness: it gets the lock the moment the holder's kernel lock has a gap.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FileLockEvidenceProcessTests {

	private static final Duration ANSWER = Duration.ofSeconds(60);

	@TempDir
	Path directory;

	private final List<ChildJvm> children = new ArrayList<>();

	private final List<LockLease> leases = new ArrayList<>();

	private final LockRequest request = LockRequest.named("app").build();

	@AfterEach
	void cleanUp() {
		this.leases.forEach(LockLease::release);
		this.children.forEach(ChildJvm::close);
	}

	private ChildJvm child(List<String> prefix, Class<?> main, String... args) throws Exception {
		ChildJvm child = ChildJvm.start(prefix, main, args);
		this.children.add(child);
		child.await(ANSWER, "READY");
		return child;
	}

	private ChildJvm standby() throws Exception {
		ChildJvm standby = child(List.of(), LockHolderProcess.class, this.directory.toString(), "app");
		standby.send("block");
		return standby;
	}

	private LockLease acquire(OsLocks kernel) {
		LockLease lease = new FileLockBackend(this.directory, kernel, System::nanoTime, LockAttempts::open)
			.tryAcquire(this.request)
			.orElseThrow();
		this.leases.add(lease);
		return lease;
	}

	private static boolean acquiredBy(ChildJvm standby) {
		return standby.transcript().stream().anyMatch((line) -> line.startsWith("ACQUIRED"));
	}

	@Test
	void busyHostWithThousandsOfLocksAndHeavyChurnCausesNoFalseLoss() throws Exception {
		churnAndVerify(OsLocks.PROC, "descriptor information and lock table", 3000, 1200, 1000);
	}

	@Test
	void busyHostCausesNoFalseLossWhenOnlyTheLockTableCanBeRead() throws Exception {
		// as on kernels whose fdinfo lists no locks: /proc/locks alone, read in chunks
		OsLocks tableOnly = new OsLocks(() -> Files.readAllBytes(Path.of("/proc/locks")), (descriptor) -> {
			throw new NoSuchFileException("fdinfo hidden by the test");
		});
		// each verification reads the whole table, which takes long on a loaded machine:
		// fewer locks, fewer verifications
		churnAndVerify(tableOnly, "lock table only", 1000, 400, 200);
	}

	private void churnAndVerify(OsLocks kernel, String evidence, int held, int wanted, int minimum) throws Exception {
		assumeThat(Files.isReadable(Path.of("/proc/locks"))).as("/proc/locks readable").isTrue();
		Path noise = Files.createDirectory(this.directory.resolve("noise"));
		child(List.of(), LockChurnProcess.class, noise.toString(), "hold", Integer.toString(held));
		child(List.of(), LockChurnProcess.class, noise.toString(), "churn", "100");
		child(List.of(), LockChurnProcess.class, noise.toString(), "churn", "100");
		LockLease lease = acquire(kernel);
		ChildJvm standby = standby();
		Map<Verification.Status, Integer> outcomes = new EnumMap<>(Verification.Status.class);
		List<String> details = new ArrayList<>();
		long started = System.nanoTime();
		long deadline = started + TimeUnit.SECONDS.toNanos(40);
		int verifications = 0;
		while (verifications < wanted && System.nanoTime() < deadline) {
			Verification verification = lease.verify();
			outcomes.merge(verification.status(), 1, Integer::sum);
			if (verification.status() != Verification.Status.HELD) {
				details.add(verification.detail());
			}
			verifications++;
			// a short verify interval, as a demanding configuration would use
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
		}
		long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
		System.out.printf("Lock churn (%s): %d verifications in %d ms with %d locks held and 200 churned: %s%n",
				evidence, verifications, millis, held, outcomes);
		assertThat(verifications).isGreaterThanOrEqualTo(minimum);
		// A repair (HEALED) re-takes the kernel lock while the other region keeps
		// everyone
		// out: no gap, no loss. A loss (LOST) on a busy host would be false.
		assertThat(outcomes).as("verifications that reported a loss: %s", details)
			.doesNotContainKey(Verification.Status.LOST);
		assertThat(acquiredBy(standby)).as("standby acquired the lock from the healthy holder").isFalse();
		lease.release();
		assertThat(standby.await(ANSWER, "ACQUIRED", "ERROR")).isEqualTo("ACQUIRED");
	}

	@Test
	void holderInPidNamespaceWithoutItsOwnProcKeepsItsLock() throws Exception {
		assumeThat(canRun("unshare", "--pid", "--fork", "--kill-child", "true")).as("unshare --pid works").isTrue();
		assumeThat(Files.isReadable(Path.of("/proc/locks"))).as("/proc/locks readable").isTrue();
		// a new PID namespace that still sees the host's /proc: PIDs in /proc/locks are
		// the host's, getpid() is the namespace's
		ChildJvm holder = child(List.of("unshare", "--pid", "--fork", "--kill-child"), LockHolderProcess.class,
				this.directory.toString(), "app");
		assertThat(holder.ask("acquire", ANSWER, "ACQUIRED", "BUSY", "ERROR")).isEqualTo("ACQUIRED");
		ChildJvm standby = standby();
		for (int i = 0; i < 20; i++) {
			assertThat(holder.ask("verify", ANSWER, "VERIFY")).isEqualTo("VERIFY HELD");
		}
		assertThat(acquiredBy(standby)).isFalse();
		ChildJvm probe = child(List.of(), LockProbeProcess.class);
		assertThat(
				probe.ask(this.directory.resolve("app.lock").toString(), ANSWER, "LOCKED_BY_OTHER", "FREE", "MISSING"))
			.isEqualTo("LOCKED_BY_OTHER");
	}

	@Test
	void lockTableThatNeverShowsTheHolderIsRepairedWithoutAGapInTheKernelLock() throws Exception {
		// consistent evidence that the lock is gone, though it is not, until the test
		// shows the real kernel again: the repair must keep the kernel lock throughout,
		// or the waiting standby gets it
		byte[] otherLocksOnly = "1: POSIX  ADVISORY  WRITE 1 00:00:1 0 EOF\n".getBytes(StandardCharsets.US_ASCII);
		AtomicBoolean hidden = new AtomicBoolean(true);
		LockLease lease = acquire(
				new OsLocks(() -> hidden.get() ? otherLocksOnly : Files.readAllBytes(Path.of("/proc/locks")),
						(descriptor) -> hidden.get() ? new byte[0] : Descriptors.readInfo(descriptor)));
		ChildJvm standby = standby();
		for (int i = 0; i < 50; i++) {
			Verification verification = lease.verify();
			assertThat(verification.status()).as(verification.detail()).isEqualTo(Verification.Status.HEALED);
		}
		hidden.set(false);
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
		assertThat(acquiredBy(standby)).as("standby acquired the lock during a repair").isFalse();
		lease.release();
		assertThat(standby.await(ANSWER, "ACQUIRED", "ERROR")).isEqualTo("ACQUIRED");
	}

	private static boolean canRun(String... command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			process.getInputStream().readAllBytes();
			return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

}
