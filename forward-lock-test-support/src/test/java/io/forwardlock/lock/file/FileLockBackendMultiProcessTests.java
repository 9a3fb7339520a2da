package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.InstanceLock;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import io.forwardlock.lock.file.testsupport.ChildJvm;
import io.forwardlock.lock.file.testsupport.LockHolderProcess;
import io.forwardlock.lock.file.testsupport.LockProbeProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link FileLockBackend} across real JVM processes: races, a holder killed with SIGKILL,
 * a hung (SIGSTOPped) holder taken over with the heartbeat, the waiter / unlink /
 * newcomer sequence, that reading its own state never drops the holder's OS lock, and
 * permissions as an unprivileged user.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FileLockBackendMultiProcessTests {

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

	private ChildJvm holder(String... extraArgs) throws Exception {
		List<String> args = new ArrayList<>(List.of(this.directory.toString(), "app"));
		args.addAll(List.of(extraArgs));
		ChildJvm child = ChildJvm.start(LockHolderProcess.class, args.toArray(String[]::new));
		this.children.add(child);
		child.await(ANSWER, "READY");
		return child;
	}

	private ChildJvm probe() throws Exception {
		ChildJvm child = ChildJvm.start(LockProbeProcess.class);
		this.children.add(child);
		child.await(ANSWER, "READY");
		return child;
	}

	private Path lockFile() {
		return this.directory.resolve("app.lock");
	}

	@Test
	void eightProcessesRaceOverManyRoundsWithoutOverlap() throws Exception {
		race(8, 25);
		assertThat(lockFile()).doesNotExist();
	}

	@Test
	void processesWithHeartbeatRaceWithoutOverlap() throws Exception {
		// with the heartbeat on, acquisitions and releases go through the takeover lock
		race(4, 25, "100", "60000");
		assertThat(lockFile()).doesNotExist();
		assertThat(this.directory.resolve("app.lock.takeover")).isRegularFile();
	}

	private void race(int processes, int rounds, String... heartbeat) throws Exception {
		Path log = this.directory.resolve("verifier.log");
		List<ChildJvm> racers = new ArrayList<>();
		for (int i = 0; i < processes; i++) {
			racers.add(holder(heartbeat));
		}
		long started = System.nanoTime();
		for (int i = 0; i < processes; i++) {
			// half wait in the kernel, half poll with tryAcquire
			racers.get(i).send("race " + rounds + " " + log + " " + ((i % 2 == 0) ? "block" : "poll"));
		}
		for (ChildJvm racer : racers) {
			assertThat(racer.await(Duration.ofSeconds(150), "DONE", "ERROR")).isEqualTo("DONE");
		}
		long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
		List<String> lines = Files.readAllLines(log);
		String inside = null;
		int overlaps = 0;
		int entries = 0;
		for (String line : lines) {
			String[] words = line.split(" ");
			if (words[0].equals("ENTER")) {
				entries++;
				if (inside != null) {
					overlaps++;
				}
				inside = words[1];
			}
			else {
				assertThat(words[0]).isEqualTo("EXIT");
				if (!words[1].equals(inside)) {
					overlaps++;
				}
				inside = null;
			}
		}
		System.out.printf("Multi-process race%s: %d processes x %d rounds = %d acquisitions, %d overlaps, %d ms%n",
				(heartbeat.length > 0) ? " with heartbeat" : "", processes, rounds, entries, overlaps, millis);
		assertThat(entries).isEqualTo(processes * rounds);
		assertThat(lines).hasSize(2 * processes * rounds);
		assertThat(overlaps).isZero();
	}

	@Test
	void holderKilledWithSigkillIsReplacedByWaitingProcessAtOnce() throws Exception {
		ChildJvm first = holder();
		ChildJvm standby = holder();
		assertThat(first.ask("acquire", ANSWER, "ACQUIRED", "BUSY", "ERROR")).isEqualTo("ACQUIRED");
		standby.send("block");
		assertThat(new FileLockBackend(this.directory).inspect(this.request)).map(HolderRecord::pid)
			.contains(first.pid());
		assertThat(standby.transcript()).doesNotContain("ACQUIRED");
		long killed = System.nanoTime();
		first.kill();
		standby.await(ANSWER, "ACQUIRED");
		long takeoverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
		System.out.printf("Standby took over %d ms after SIGKILL of the holder%n", takeoverMillis);
		// no cleanup happened: the dead holder's file was simply locked and rewritten
		assertThat(Files.readString(lockFile())).isEqualTo(standby.pid() + "\n");
		assertThat(new FileLockBackend(this.directory).inspect(this.request)).map(HolderRecord::pid)
			.contains(standby.pid());
		assertThat(standby.ask("verify", ANSWER, "VERIFY")).isEqualTo("VERIFY HELD");
	}

	@Test
	void hungHolderIsTakenOverWithHeartbeatAndDetectsLossWhenResumed() throws Exception {
		long staleMillis = 2000;
		ChildJvm hung = holder("100", Long.toString(staleMillis));
		assertThat(hung.ask("acquire", ANSWER, "ACQUIRED", "BUSY", "ERROR")).isEqualTo("ACQUIRED");
		assertThat(hung.ask("heartbeat", ANSWER, "BEAT")).isEqualTo("BEAT");
		long beat = Files.getLastModifiedTime(lockFile()).toMillis();
		hung.signal("STOP");
		LockRequest contender = LockRequest.named("app")
			.heartbeat(Duration.ofMillis(100), Duration.ofMillis(staleMillis))
			.build();
		FileLockBackend backend = new FileLockBackend(this.directory);
		Optional<LockLease> early = backend.tryAcquire(contender);
		early.ifPresent(this.leases::add);
		if (System.currentTimeMillis() - beat < staleMillis / 2) {
			assertThat(early).as("fresh heartbeat must not be taken over").isEmpty();
		}
		AtomicReference<LockLease> taken = new AtomicReference<>(early.orElse(null));
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
			if (taken.get() == null) {
				backend.tryAcquire(contender).ifPresent((lease) -> {
					this.leases.add(lease);
					taken.set(lease);
				});
			}
			return taken.get() != null;
		});
		ChildJvm probe = probe();
		assertThat(probe.ask("cat " + lockFile(), ANSWER, "CONTENT")).isEqualTo(ownPidContent());
		hung.signal("CONT");
		assertThat(hung.ask("verify", ANSWER, "VERIFY")).isEqualTo("VERIFY LOST");
		assertThat(hung.ask("release", ANSWER, "RELEASED")).isEqualTo("RELEASED");
		// the old holder's release left the new holder's file alone
		assertThat(taken.get().verify().status()).isEqualTo(Verification.Status.HELD);
		assertThat(probe.ask("cat " + lockFile(), ANSWER, "CONTENT")).isEqualTo(ownPidContent());
		assertThat(probe.ask(lockFile().toString(), ANSWER, "LOCKED_BY_OTHER", "FREE", "MISSING"))
			.isEqualTo("LOCKED_BY_OTHER");
	}

	@Test
	void contendersTakingOverHungHolderAtOnceYieldExactlyOneWinner() throws Exception {
		String interval = "100";
		String stale = "3000";
		ChildJvm hung = holder(interval, stale);
		List<ChildJvm> contenders = List.of(holder(interval, stale), holder(interval, stale), holder(interval, stale));
		assertThat(hung.ask("acquire", ANSWER, "ACQUIRED", "BUSY", "ERROR")).isEqualTo("ACQUIRED");
		hung.signal("STOP");
		for (ChildJvm contender : contenders) {
			contender.send("poll 7000");
		}
		List<String> answers = new ArrayList<>();
		for (ChildJvm contender : contenders) {
			answers.add(contender.await(ANSWER, "ACQUIRED", "TIMEOUT", "ERROR"));
		}
		assertThat(answers).filteredOn("ACQUIRED"::equals).hasSize(1);
		assertThat(answers).filteredOn("TIMEOUT"::equals).hasSize(2);
		ChildJvm winner = contenders.get(answers.indexOf("ACQUIRED"));
		assertThat(winner.ask("verify", ANSWER, "VERIFY")).isEqualTo("VERIFY HELD");
		assertThat(new FileLockBackend(this.directory).inspect(this.request)).map(HolderRecord::pid)
			.contains(winner.pid());
		hung.signal("CONT");
		assertThat(hung.ask("verify", ANSWER, "VERIFY")).isEqualTo("VERIFY LOST");
	}

	/**
	 * A backend that runs an action right after each attempt opened the lock file, before
	 * it locks it.
	 */
	private FileLockBackend afterOpen(OpenedAction action) {
		return new FileLockBackend(this.directory, OsLocks.PROC, System::nanoTime, (path, createNew) -> {
			FileChannel channel = LockAttempts.open(path, createNew);
			action.run();
			return channel;
		});
	}

	/**
	 * What {@link #afterOpen(OpenedAction)} runs.
	 */
	private interface OpenedAction {

		void run() throws IOException;

	}

	@Test
	void waiterThatLocksUnlinkedFileStartsOverAndNewcomerKeepsLock() throws Exception {
		ChildJvm holder = holder();
		ChildJvm newcomer = holder();
		assertThat(holder.ask("acquire", ANSWER, "ACQUIRED")).isEqualTo("ACQUIRED");
		int[] opens = new int[1];
		FileLockBackend waiter = afterOpen(() -> {
			if (opens[0]++ == 0) {
				// the waiter has the old file open: now the holder unlinks it and
				// releases, and a newcomer creates and locks a new file at the same path
				check(holder, "release");
				check(newcomer, "acquire");
			}
		});
		Optional<LockLease> lease = waiter.tryAcquire(this.request);
		lease.ifPresent(this.leases::add);
		assertThat(opens[0]).as("attempts").isEqualTo(2);
		assertThat(lease).as("waiter must not hold the orphaned file").isEmpty();
		assertThat(newcomer.ask("verify", ANSWER, "VERIFY")).isEqualTo("VERIFY HELD");
		assertThat(Files.readString(lockFile())).isEqualTo(newcomer.pid() + "\n");
	}

	@Test
	void waiterThatLocksUnlinkedFileStartsOverAndAcquiresFreshFile() throws Exception {
		ChildJvm holder = holder();
		assertThat(holder.ask("acquire", ANSWER, "ACQUIRED")).isEqualTo("ACQUIRED");
		int[] opens = new int[1];
		FileLockBackend waiter = afterOpen(() -> {
			if (opens[0]++ == 0) {
				check(holder, "release");
			}
		});
		LockLease lease = waiter.tryAcquire(this.request).orElseThrow();
		this.leases.add(lease);
		assertThat(opens[0]).isEqualTo(2);
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
		ChildJvm probe = probe();
		assertThat(probe.ask(lockFile().toString(), ANSWER, "LOCKED_BY_OTHER", "FREE", "MISSING"))
			.isEqualTo("LOCKED_BY_OTHER");
	}

	@Test
	void lockDroppedByAnotherDescriptorInHolderProcessIsDetectedAndRelocked() throws Exception {
		LockLease lease = new FileLockBackend(this.directory).tryAcquire(this.request).orElseThrow();
		this.leases.add(lease);
		ChildJvm probe = probe();
		String path = lockFile().toString();
		assertThat(probe.ask(path, ANSWER, "LOCKED_BY_OTHER", "FREE", "MISSING")).isEqualTo("LOCKED_BY_OTHER");
		// what the holder must never do: open and close its own lock file
		assertThat(Files.readString(lockFile())).isEqualTo(ProcessHandle.current().pid() + "\n");
		assertThat(probe.ask(path, ANSWER, "LOCKED_BY_OTHER", "FREE", "MISSING")).isEqualTo("FREE");
		Verification verification = lease.verify();
		assertThat(verification.status()).isEqualTo(Verification.Status.HEALED);
		assertThat(verification.detail()).contains("OS lock was dropped");
		assertThat(probe.ask(path, ANSWER, "LOCKED_BY_OTHER", "FREE", "MISSING")).isEqualTo("LOCKED_BY_OTHER");
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
	}

	@Test
	void lockDroppedInHolderProcessAndTakenByAnotherIsLost() throws Exception {
		LockLease lease = new FileLockBackend(this.directory).tryAcquire(this.request).orElseThrow();
		this.leases.add(lease);
		Files.readString(lockFile());
		ChildJvm other = holder();
		assertThat(other.ask("acquire", ANSWER, "ACQUIRED", "BUSY", "ERROR")).isEqualTo("ACQUIRED");
		// the path still names the held file: only the kernel tells that the lock is gone
		assertThatExceptionOfType(LockException.class).isThrownBy(lease::ensureHeld)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.LOST);
		assertThat(other.ask("verify", ANSWER, "VERIFY")).isEqualTo("VERIFY HELD");
		lease.release();
		assertThat(other.ask("verify", ANSWER, "VERIFY")).isEqualTo("VERIFY HELD");
	}

	private static String ownPidContent() {
		return "CONTENT " + ProcessHandle.current().pid() + "\\n";
	}

	private static void check(ChildJvm child, String command) throws IOException {
		String answer;
		try {
			answer = child.ask(command, ANSWER, "RELEASED", "ACQUIRED", "BUSY", "ERROR");
		}
		catch (Exception ex) {
			throw new IOException(ex);
		}
		if (!answer.equals("RELEASED") && !answer.equals("ACQUIRED")) {
			throw new AssertionError("Unexpected answer " + answer);
		}
	}

	@Test
	void holderKeepsOsLockAfterEveryReadOfItsOwnState() throws Exception {
		FileLockBackend backend = new FileLockBackend(this.directory);
		InstanceLock instanceLock = new InstanceLock(backend, this.request);
		assertThat(instanceLock.tryAcquire()).isTrue();
		LockLease lease = instanceLock.getLease().orElseThrow();
		this.leases.add(lease);
		ChildJvm probe = probe();
		ChildJvm outsider = holder();
		String path = lockFile().toString();
		assertThat(probe.ask(path, ANSWER, "LOCKED_BY_OTHER", "FREE", "MISSING")).isEqualTo("LOCKED_BY_OTHER");
		List<Runnable> reads = List.of(() -> backend.inspect(this.request),
				() -> new FileLockBackend(this.directory).inspect(this.request), lease::holder, lease::verify,
				lease::heartbeat, instanceLock::checkRunningInstance, instanceLock::getLocation,
				() -> backend.tryAcquire(this.request), () -> lease.fencingToken());
		for (Runnable read : reads) {
			read.run();
			assertThat(probe.ask(path, ANSWER, "LOCKED_BY_OTHER", "FREE", "MISSING")).isEqualTo("LOCKED_BY_OTHER");
		}
		assertThat(outsider.ask("inspect", ANSWER, "HOLDER", "FREE"))
			.isEqualTo("HOLDER " + ProcessHandle.current().pid());
		assertThat(outsider.ask("acquire", ANSWER, "ACQUIRED", "BUSY")).isEqualTo("BUSY");
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
		assertThat(probe.ask(path, ANSWER, "LOCKED_BY_OTHER", "FREE", "MISSING")).isEqualTo("LOCKED_BY_OTHER");
	}

	@Test
	void unwritableDirectoryIsPermissionDeniedWithHelpForUnprivilegedUser() throws Exception {
		// root bypasses permissions, so as root the case runs in a child JVM as 'nobody'
		assumeThat(ProcessOwner.uid()).as("running as root, to switch user").isZero();
		assumeThat(Files.isExecutable(Path.of("/usr/bin/setpriv"))).as("setpriv available").isTrue();
		Path shared = Files.createTempDirectory(Path.of("/tmp"), "forward-lock-perm");
		try {
			Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
			Path classes = shared.resolve("classes");
			String classPath = copyClassPath(classes);
			Path lockDirectory = Files.createDirectory(shared.resolve("locks"));
			Files.setPosixFilePermissions(lockDirectory, PosixFilePermissions.fromString("rwxr-xr-x"));
			ChildJvm child = ChildJvm.start(
					List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), classPath,
					LockHolderProcess.class, lockDirectory.toString(), "app");
			this.children.add(child);
			child.await(ANSWER, "READY");
			assertThat(child.ask("acquire", ANSWER, "ACQUIRED", "BUSY", "ERROR")).startsWith("ERROR PERMISSION_DENIED");
			child.await(ANSWER, "END");
			List<String> help = child.transcript().stream().filter((line) -> line.startsWith("HELP ")).toList();
			assertThat(help).anySatisfy((line) -> assertThat(line).contains("ls -ld " + lockDirectory));
			assertThat(help).anySatisfy(
					(line) -> assertThat(line).contains("Or use a directory you own").contains("FileLockBackend"));
			assertThat(help).noneSatisfy((line) -> assertThat(line).containsIgnoringCase("delete"));
			try (Stream<Path> files = Files.list(lockDirectory)) {
				assertThat(files).isEmpty();
			}
		}
		finally {
			deleteRecursively(shared);
		}
	}

	/**
	 * Copy this project's compiled classes and jars where an unprivileged user can read
	 * them (the build directory may sit under a private home). The child needs no other
	 * dependency.
	 */
	private static String copyClassPath(Path target) throws IOException {
		List<String> entries = new ArrayList<>();
		int i = 0;
		for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
			Path source = Path.of(entry);
			if (isForwardLockJar(source)) {
				Path jar = Files.createDirectories(target).resolve(i++ + "-" + source.getFileName());
				Files.copy(source, jar);
				entries.add(jar.toString());
				continue;
			}
			if (!Files.isDirectory(source)) {
				continue;
			}
			Path copy = target.resolve(Integer.toString(i++));
			try (Stream<Path> tree = Files.walk(source)) {
				for (Path file : (Iterable<Path>) tree::iterator) {
					Path destination = copy.resolve(source.relativize(file).toString());
					if (Files.isDirectory(file)) {
						Files.createDirectories(destination);
					}
					else {
						Files.copy(file, destination);
					}
				}
			}
			entries.add(copy.toString());
		}
		try (Stream<Path> tree = Files.walk(target)) {
			for (Path file : (Iterable<Path>) tree::iterator) {
				Files.setPosixFilePermissions(file,
						PosixFilePermissions.fromString(Files.isDirectory(file) ? "rwxr-xr-x" : "rw-r--r--"));
			}
		}
		return String.join(java.io.File.pathSeparator, entries);
	}

	/**
	 * The core module reaches this class path as a jar when the reactor has packaged it.
	 */
	private static boolean isForwardLockJar(Path entry) {
		String name = entry.getFileName().toString();
		return name.startsWith("forward-lock-") && name.endsWith(".jar") && Files.isRegularFile(entry);
	}

	private static void deleteRecursively(Path root) throws IOException {
		try (Stream<Path> tree = Files.walk(root)) {
			for (Path file : (Iterable<Path>) tree.sorted(Comparator.reverseOrder())::iterator) {
				Files.deleteIfExists(file);
			}
		}
	}

}
