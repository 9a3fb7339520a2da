package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.InstanceLock;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Single-process behaviour of {@link FileLockBackend}: acquire, release and refusal, the
 * files it leaves, in-JVM exclusion, faults and unsafe lock paths. Behaviour across
 * processes is in {@link FileLockBackendMultiProcessTests}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FileLockBackendTests {

	@TempDir
	Path directory;

	private final List<LockLease> leases = new ArrayList<>();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	private final LockRequest request = LockRequest.named("app").applicationName("orders").build();

	@AfterEach
	void cleanUp() throws InterruptedException {
		this.executor.shutdownNow();
		this.executor.awaitTermination(30, TimeUnit.SECONDS);
		this.leases.forEach(LockLease::release);
	}

	private FileLockBackend backend() {
		return new FileLockBackend(this.directory);
	}

	private LockLease acquire(FileLockBackend backend) {
		LockLease lease = backend.tryAcquire(this.request).orElseThrow(() -> new AssertionError("lock not acquired"));
		this.leases.add(lease);
		return lease;
	}

	private Path lockFile() {
		return this.directory.resolve("app.lock");
	}

	private Path holderFile() {
		return this.directory.resolve("app.lock.holder");
	}

	// --- acquire, release and refusal ---

	@Test
	void fiftyThreadsRaceAndExactlyOneWins() throws Exception {
		int threads = 50;
		CyclicBarrier start = new CyclicBarrier(threads);
		CountDownLatch allTried = new CountDownLatch(threads);
		AtomicInteger winners = new AtomicInteger();
		List<Future<?>> futures = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			futures.add(this.executor.submit(() -> {
				FileLockBackend backend = backend();
				start.await(30, TimeUnit.SECONDS);
				Optional<LockLease> lease = backend.tryAcquire(this.request);
				lease.ifPresent((l) -> winners.incrementAndGet());
				allTried.countDown();
				// the winner holds until everybody has tried
				assertThat(allTried.await(60, TimeUnit.SECONDS)).isTrue();
				lease.ifPresent(LockLease::release);
				return null;
			}));
		}
		for (Future<?> future : futures) {
			future.get(90, TimeUnit.SECONDS);
		}
		assertThat(winners.get()).isEqualTo(1);
		assertThat(lockFile()).doesNotExist();
	}

	@Test
	void hundredRapidAcquireReleaseCyclesAllSucceed() {
		for (int i = 0; i < 100; i++) {
			InstanceLock lock = new InstanceLock(backend(), this.request);
			assertThat(lock.tryAcquire()).as("iteration %d", i).isTrue();
			lock.release();
			assertThat(lock.isAcquired()).isFalse();
		}
		assertThat(lockFile()).doesNotExist();
		assertThat(holderFile()).doesNotExist();
	}

	@Test
	void tenThreadsAcquireAndReleaseAtOnceAndNoLockFileRemains() throws Exception {
		int threads = 10;
		CyclicBarrier start = new CyclicBarrier(threads);
		List<Future<Boolean>> futures = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			futures.add(this.executor.submit(() -> {
				InstanceLock lock = new InstanceLock(backend(), this.request);
				start.await(30, TimeUnit.SECONDS);
				boolean acquired = lock.tryAcquire();
				lock.release();
				return acquired;
			}));
		}
		int acquired = 0;
		for (Future<Boolean> future : futures) {
			acquired += future.get(60, TimeUnit.SECONDS) ? 1 : 0;
		}
		assertThat(acquired).isBetween(1, threads);
		try (var files = Files.list(this.directory)) {
			assertThat(files).isEmpty();
		}
	}

	@Test
	void secondInstanceIsPreventedAndToldWhoRuns() throws Exception {
		InstanceLock first = new InstanceLock(backend(), this.request);
		InstanceLock second = new InstanceLock(backend(), LockRequest.named("app").build());
		assertThat(first.tryAcquire()).isTrue();
		try {
			assertThat(second.tryAcquire()).isFalse();
			assertThat(second.isAcquired()).isFalse();
			assertThatExceptionOfType(LockException.class).isThrownBy(() -> second.acquire(0, Duration.ZERO))
				.satisfies((ex) -> {
					assertThat(ex.getType()).isEqualTo(LockErrorType.INSTANCE_RUNNING);
					assertThat(ex.getPid()).isEqualTo(ProcessHandle.current().pid());
					assertThat(ex.getLocation()).isEqualTo(lockFile().toString());
					assertThat(ex.getMessage()).contains("Possible solutions")
						.contains("InstanceLock.acquireOnStandby");
				});
			assertThat(second.checkRunningInstance()).map(HolderRecord::applicationName).contains("orders");
		}
		finally {
			first.release();
		}
		assertThat(second.tryAcquire()).isTrue();
		second.release();
	}

	@Test
	void staleFileLeftByDeadProcessDoesNotBlock() throws Exception {
		Process gone = new ProcessBuilder("true").start();
		assertThat(gone.waitFor(30, TimeUnit.SECONDS)).isTrue();
		Files.writeString(lockFile(), gone.pid() + "\n");
		Files.write(holderFile(), HolderFiles
			.format(new HolderRecord(gone.pid(), HolderRecord.localHostname(), null, null, "orders", "dead-instance")));
		assertThat(backend().inspect(this.request)).isEmpty();
		LockLease lease = acquire(backend());
		assertThat(Files.readString(lockFile())).isEqualTo(ProcessHandle.current().pid() + "\n");
		assertThat(HolderFiles.read(holderFile())).contains(lease.holder());
	}

	// --- files on disk ---

	@Test
	void lockFileHoldsPidWithNewlineAndOwnerOnlyMode() throws Exception {
		acquire(backend());
		assertThat(Files.readString(lockFile())).isEqualTo(ProcessHandle.current().pid() + "\n");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(lockFile()))).isEqualTo("rw-------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(holderFile()))).isEqualTo("rw-------");
	}

	@Test
	void holderFileDescribesHolderAndVanishesOnRelease() throws Exception {
		LockLease lease = acquire(backend());
		HolderRecord recorded = HolderFiles.read(holderFile()).orElseThrow();
		assertThat(recorded).isEqualTo(lease.holder());
		assertThat(recorded.hostname()).isEqualTo(HolderRecord.localHostname());
		assertThat(recorded.applicationName()).isEqualTo("orders");
		lease.release();
		assertThat(lockFile()).doesNotExist();
		assertThat(holderFile()).doesNotExist();
	}

	@Test
	void missingDirectoryIsCreatedOwnerOnly() throws Exception {
		Path nested = this.directory.resolve("a/b");
		LockLease lease = new FileLockBackend(nested).tryAcquire(this.request).orElseThrow();
		this.leases.add(lease);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested))).isEqualTo("rwx------");
		assertThat(lease.location()).isEqualTo(nested.resolve("app.lock").toString());
	}

	@Test
	void lockDirectoryThatIsAFileIsReported() throws Exception {
		Path file = Files.writeString(this.directory.resolve("not-a-dir"), "x");
		assertThatExceptionOfType(LockException.class)
			.isThrownBy(() -> new FileLockBackend(file).tryAcquire(this.request))
			.satisfies((ex) -> assertThat(ex.getSummary()).contains("exists but is not a directory"));
		assertThat(Files.readString(file)).isEqualTo("x");
	}

	@Test
	void inspectFindsNothingWhereTheDirectoryIsAFile() throws Exception {
		Path file = Files.writeString(this.directory.resolve("file"), "x");
		assertThat(new FileLockBackend(file).inspect(this.request)).isEmpty();
		assertThat(Files.readString(file)).isEqualTo("x");
	}

	@Test
	void inspectDoesNotCreateMissingDirectory() {
		Path missing = this.directory.resolve("missing");
		assertThat(new FileLockBackend(missing).inspect(this.request)).isEmpty();
		assertThat(missing).doesNotExist();
	}

	@Test
	void describeLocationIsLockFilePath() {
		assertThat(backend().describeLocation(this.request)).isEqualTo(lockFile().toString());
		assertThat(backend().lockFile(this.request)).isEqualTo(lockFile());
		assertThat(backend().holderFile(this.request)).isEqualTo(holderFile());
		assertThat(backend().id()).isEqualTo("file");
	}

	// --- in-JVM exclusion ---

	@Test
	void secondAcquisitionThroughOtherSpellingOfPathIsRefused() throws Exception {
		acquire(backend());
		Files.createDirectory(this.directory.resolve("sub"));
		Path link = Files.createSymbolicLink(this.directory.resolveSibling(this.directory.getFileName() + "-link"),
				this.directory);
		try {
			assertThat(new FileLockBackend(link).tryAcquire(this.request)).isEmpty();
			assertThat(new FileLockBackend(this.directory.resolve("sub/..")).tryAcquire(this.request)).isEmpty();
		}
		finally {
			Files.delete(link);
		}
	}

	@Test
	void inspectOfLockHeldByThisJvmReturnsOwnRecordWithoutOpeningFile() {
		LockLease lease = acquire(backend());
		assertThat(backend().inspect(this.request)).contains(lease.holder());
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
	}

	// --- faults under the holder ---

	@Test
	void lockFileDeletedUnderHolderIsHealed() throws Exception {
		LockLease lease = acquire(backend());
		Files.delete(lockFile());
		Files.delete(holderFile());
		Verification verification = lease.verify();
		assertThat(verification.status()).isEqualTo(Verification.Status.HEALED);
		assertThat(verification.detail()).contains("deleted");
		assertThat(HolderFiles.read(holderFile())).contains(lease.holder());
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
		assertThat(backend().tryAcquire(this.request)).isEmpty();
		// HELD means the content is this PID; reading the file here would drop the OS
		// lock
		assertThat(Files.size(lockFile())).isEqualTo(HolderFiles.pidContent(ProcessHandle.current().pid()).length);
		lease.release();
		assertThat(lockFile()).doesNotExist();
	}

	@Test
	void lockDirectoryRemovedUnderHolderIsRecreatedAndHealed() throws Exception {
		Path nested = this.directory.resolve("locks");
		LockLease lease = new FileLockBackend(nested).tryAcquire(this.request).orElseThrow();
		this.leases.add(lease);
		try (var files = Files.list(nested)) {
			for (Path file : files.toList()) {
				Files.delete(file);
			}
		}
		Files.delete(nested);
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HEALED);
		assertThat(nested.resolve("app.lock")).isRegularFile();
		assertThat(new FileLockBackend(nested).tryAcquire(this.request)).isEmpty();
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
	}

	@Test
	void lockFileReplacedUnderHolderByAFileNobodyLocksIsTakenOver() throws Exception {
		LockLease lease = acquire(backend());
		// a leftover of a failed contender, or a file restored from a backup
		Path other = this.directory.resolve("other");
		Files.writeString(other, "4242\n");
		Files.move(other, lockFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		Verification verification = lease.verify();
		assertThat(verification.status()).as(verification.detail()).isEqualTo(Verification.Status.HEALED);
		assertThat(verification.detail()).contains("replaced");
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
		assertThat(backend().tryAcquire(this.request)).isEmpty();
		lease.release();
		assertThat(lockFile()).doesNotExist();
	}

	@Test
	void contentChangedUnderHolderByItsOwnProcessIsALoss() throws Exception {
		LockLease lease = acquire(backend());
		// write in place: same inode, as an editor or "echo > file" would; from this
		// process the write also drops the kernel lock, so nothing confirms the lock
		// (FileLockLeaseEvidenceTests covers a change the kernel vouches for)
		Files.writeString(lockFile(), "garbage");
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.LOST);
	}

	@Test
	void verifyAfterReleaseReportsLost() {
		LockLease lease = acquire(backend());
		lease.release();
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.LOST);
		assertThatExceptionOfType(LockException.class).isThrownBy(lease::heartbeat)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
	}

	@Test
	void heartbeatRefreshesModificationTimeThroughHeldChannel() throws Exception {
		LockLease lease = acquire(backend());
		Files.setLastModifiedTime(lockFile(), java.nio.file.attribute.FileTime.fromMillis(1_000_000L));
		// setLastModifiedTime opened and closed the file here, which dropped the OS lock:
		// the next verify must notice and lock again
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HEALED);
		lease.heartbeat();
		assertThat(Files.getLastModifiedTime(lockFile()).toMillis()).isGreaterThan(1_000_000L);
		assertThat(Files.readString(lockFile())).isEqualTo(ProcessHandle.current().pid() + "\n");
	}

	@Test
	void pendingInterruptNeitherFailsNorDropsLockAndIsKept() {
		Thread.currentThread().interrupt();
		try {
			LockLease lease = acquire(backend());
			assertThat(backend().inspect(this.request)).contains(lease.holder());
			lease.heartbeat();
			assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
			assertThat(Thread.currentThread().isInterrupted()).isTrue();
		}
		finally {
			Thread.interrupted();
		}
		assertThat(this.leases.get(0).verify().status()).isEqualTo(Verification.Status.HELD);
	}

	// --- bad content left in the lock file ---

	@ParameterizedTest
	@ValueSource(strings = { "", "garbage", "-42\n", "99999999999999999999999999\n", "12\n\n\n", "0\n", "4242",
			"4242\n", " 4242 \r\n" })
	void leftoverContentOfAnyKindNeverBlocks(String content) throws Exception {
		Files.writeString(lockFile(), content);
		assertThat(backend().inspect(this.request)).isEmpty();
		acquire(backend());
		assertThat(Files.readString(lockFile())).isEqualTo(ProcessHandle.current().pid() + "\n");
	}

	@Test
	void hugeLeftoverContentIsTruncated() throws Exception {
		Files.write(lockFile(), new byte[1024 * 1024]);
		acquire(backend());
		assertThat(Files.size(lockFile())).isEqualTo((ProcessHandle.current().pid() + "\n").length());
	}

	@Test
	void pidOfLiveUnrelatedProcessWithoutOsLockDoesNotBlock() throws Exception {
		Process unrelated = new ProcessBuilder("sleep", "60").start();
		try {
			Files.writeString(lockFile(), unrelated.pid() + "\n");
			assertThat(HolderRecord.ofPid(unrelated.pid()).isProcessAlive()).isTrue();
			acquire(backend());
			assertThat(Files.readString(lockFile())).isEqualTo(ProcessHandle.current().pid() + "\n");
		}
		finally {
			unrelated.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
		}
	}

	// --- unsafe lock paths ---

	@Test
	void symlinkAtLockPathIsRefusedAndTargetUntouched() throws Exception {
		Path target = this.directory.resolve("precious.txt");
		byte[] original = "do not touch\n".getBytes(StandardCharsets.UTF_8);
		Files.write(target, original);
		Files.createSymbolicLink(lockFile(), target);
		assertUnsafe("symbolic link");
		assertThat(Files.readAllBytes(target)).isEqualTo(original);
		assertThat(Files.isSymbolicLink(lockFile())).isTrue();
		assertThat(Files.readSymbolicLink(lockFile())).isEqualTo(target);
	}

	@Test
	void danglingSymlinkAtLockPathIsRefusedAndTargetNotCreated() throws Exception {
		Path target = this.directory.resolve("not-there");
		Files.createSymbolicLink(lockFile(), target);
		assertUnsafe("symbolic link");
		assertThat(target).doesNotExist();
	}

	@Test
	void symlinkSlippedInBetweenCheckAndOpenIsRefusedByOpen() throws Exception {
		Path target = this.directory.resolve("precious.txt");
		Files.writeString(target, "keep");
		assertThatExceptionOfType(LockException.class).isThrownBy(() -> {
			Files.createSymbolicLink(lockFile(), target);
			LockAttempts.open(lockFile(), false);
		}).satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.UNSAFE_LOCK_FILE));
		assertThat(Files.readString(target)).isEqualTo("keep");
	}

	@Test
	void directoryAtLockPathIsRefused() throws Exception {
		Files.createDirectory(lockFile());
		assertUnsafe("directory");
		assertThat(lockFile()).isDirectory();
	}

	@Test
	void fifoAtLockPathIsRefusedWithoutBlocking() throws Exception {
		Process mkfifo = new ProcessBuilder("mkfifo", lockFile().toString()).start();
		assumeThat(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).as("mkfifo available").isTrue();
		assertUnsafe("FIFO");
		assertThat(Files.readAttributes(lockFile(), "unix:mode", LinkOption.NOFOLLOW_LINKS).get("mode"))
			.matches((mode) -> (((Integer) mode) & 0170000) == 0010000, "still a FIFO");
	}

	@Test
	void hardLinkAtLockPathIsRefusedAndLinkedFileUntouched() throws Exception {
		Path precious = this.directory.resolve("precious.txt");
		Files.writeString(precious, "keep");
		Files.createLink(lockFile(), precious);
		assertUnsafe("hard links");
		assertThat(Files.readString(precious)).isEqualTo("keep");
	}

	@Test
	void leftoverOwnedByAnotherUserIsReplacedSafelyByRoot() throws Exception {
		// only root can give a file away; CI runs as root
		assumeThat(ProcessOwner.uid()).as("running as root").isZero();
		Files.writeString(lockFile(), "1\n");
		Files.setAttribute(lockFile(), "unix:uid", 65534, LinkOption.NOFOLLOW_LINKS);
		assertThat(backend().inspect(this.request)).as("nobody holds the leftover").isEmpty();
		LockLease lease = acquire(backend());
		// attributes only: reading the file here would drop our own lock
		assertThat(Files.getAttribute(lockFile(), "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0);
		assertThat(Files.size(lockFile())).isEqualTo((ProcessHandle.current().pid() + "\n").length());
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
	}

	@Test
	void unsafeTakeoverFileIsRefused() throws Exception {
		Path target = this.directory.resolve("precious.txt");
		Files.writeString(target, "keep");
		Files.createSymbolicLink(this.directory.resolve("app.lock.takeover"), target);
		LockFiles.FileFacts facts = LockFiles.lstat(this.directory.resolve("app.lock.takeover"));
		assertThat(facts.problem()).contains("symbolic link");
		assertThat(Files.readString(target)).isEqualTo("keep");
	}

	private void assertUnsafe(String reason) {
		assertThatExceptionOfType(LockException.class).isThrownBy(() -> backend().tryAcquire(this.request))
			.satisfies((ex) -> {
				assertThat(ex.getType()).isEqualTo(LockErrorType.UNSAFE_LOCK_FILE);
				assertThat(ex.getSummary()).contains(reason);
				assertThat(ex.getLocation()).isEqualTo(lockFile().toString());
				assertThat(ex.getHelp()).isNotEmpty();
			});
		// and the registry was cleaned up: the next (still refused) attempt reaches the
		// file
		assertThatExceptionOfType(LockException.class).isThrownBy(() -> backend().tryAcquire(this.request));
	}

	// --- heartbeat takeover within one process is refused: the registry wins ---

	@Test
	void staleLockHeldByThisJvmIsNotTakenOverByThisJvm() throws Exception {
		LockRequest heartbeat = LockRequest.named("app")
			.heartbeat(Duration.ofMillis(10), Duration.ofMillis(50))
			.build();
		LockLease lease = backend().tryAcquire(heartbeat).orElseThrow();
		this.leases.add(lease);
		Files.setLastModifiedTime(lockFile(), java.nio.file.attribute.FileTime.fromMillis(0));
		assertThat(backend().tryAcquire(heartbeat)).isEmpty();
	}

	@Test
	void heartbeatLocksLeaveOnlyTheTakeoverFileBehind() throws Exception {
		LockRequest heartbeat = LockRequest.named("app")
			.heartbeat(Duration.ofMillis(100), Duration.ofSeconds(60))
			.build();
		for (int i = 0; i < 3; i++) {
			LockLease lease = backend().tryAcquire(heartbeat).orElseThrow();
			assertThat(backend().tryAcquire(heartbeat)).isEmpty();
			lease.heartbeat();
			assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
			assertThat(backend().inspect(heartbeat)).contains(lease.holder());
			lease.release();
		}
		try (var files = Files.list(this.directory)) {
			assertThat(files).containsExactly(this.directory.resolve("app.lock.takeover"));
		}
		// the PID of its last user and the last fencing token issued
		assertThat(this.directory.resolve("app.lock.takeover")).content().matches("[0-9]+\nfencing-token=[0-9]+\n");
	}

	@Test
	void permissionDeniedDirectoryIsReportedWithHelp() throws IOException {
		// root bypasses permissions; the multi-process tests cover it as an unprivileged
		// user
		assumeThat(ProcessOwner.uid()).as("running as an unprivileged user").isNotZero();
		Files.setPosixFilePermissions(this.directory, PosixFilePermissions.fromString("r-x------"));
		try {
			assertThatExceptionOfType(LockException.class).isThrownBy(() -> backend().tryAcquire(this.request))
				.satisfies((ex) -> {
					assertThat(ex.getType()).isEqualTo(LockErrorType.PERMISSION_DENIED);
					assertThat(ex.getHelp()).anySatisfy((line) -> assertThat(line).contains("new FileLockBackend("));
				});
		}
		finally {
			Files.setPosixFilePermissions(this.directory, PosixFilePermissions.fromString("rwx------"));
		}
	}

}
