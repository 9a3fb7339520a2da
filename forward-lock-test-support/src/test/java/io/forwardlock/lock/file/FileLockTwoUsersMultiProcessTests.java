package io.forwardlock.lock.file;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.InstanceLock;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import io.forwardlock.lock.file.testsupport.ChildJvm;
import io.forwardlock.lock.file.testsupport.LockHolderProcess;
import io.forwardlock.lock.file.testsupport.OtherUser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Two users share a lock directory with the sticky bit (mode 1777, as {@code /tmp}): root
 * (the test) and {@code nobody} (child JVMs started with {@code setpriv}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FileLockTwoUsersMultiProcessTests {

	private static final Duration ANSWER = Duration.ofSeconds(60);

	private final List<ChildJvm> children = new ArrayList<>();

	private final List<LockLease> leases = new ArrayList<>();

	private final LockRequest request = LockRequest.named("app").build();

	private Path shared;

	private Path directory;

	@BeforeEach
	void shareADirectory() throws Exception {
		assumeThat(OtherUser.available()).as("running as root with setpriv").isTrue();
		this.shared = Files.createTempDirectory(Path.of("/tmp"), "forward-lock-users");
		Files.setAttribute(this.shared, "unix:mode", 0755);
		this.directory = Files.createDirectory(this.shared.resolve("locks"));
		Files.setAttribute(this.directory, "unix:mode", 01777);
	}

	@AfterEach
	void cleanUp() throws Exception {
		this.leases.forEach(LockLease::release);
		this.children.forEach(ChildJvm::close);
		if (this.shared != null) {
			try (Stream<Path> tree = Files.walk(this.shared)) {
				for (Path file : (Iterable<Path>) tree.sorted(Comparator.reverseOrder())::iterator) {
					Files.deleteIfExists(file);
				}
			}
		}
	}

	private ChildJvm otherUser() throws Exception {
		ChildJvm child = OtherUser.start(this.shared, LockHolderProcess.class, this.directory.toString(), "app");
		this.children.add(child);
		child.await(ANSWER, "READY");
		return child;
	}

	private Path lockFile() {
		return this.directory.resolve("app.lock");
	}

	@Test
	void otherUsersRunningInstanceIsNamedAsTheHolder() throws Exception {
		ChildJvm other = otherUser();
		assertThat(other.ask("acquire", ANSWER, "ACQUIRED", "BUSY", "ERROR")).isEqualTo("ACQUIRED");
		InstanceLock lock = new InstanceLock(new FileLockBackend(this.directory), this.request);
		assertThatExceptionOfType(LockException.class).isThrownBy(() -> lock.acquire(0, Duration.ofMillis(10)))
			.satisfies((ex) -> {
				assertThat(ex.getType()).isEqualTo(LockErrorType.INSTANCE_RUNNING);
				assertThat(ex.getPid()).isEqualTo(other.pid());
			});
		assertThat(other.ask("verify", ANSWER, "VERIFY")).isEqualTo("VERIFY HELD");
	}

	@Test
	void rootReplacesTheLeftoverOfAnotherUsersKilledInstanceSafely() throws Exception {
		ChildJvm other = otherUser();
		assertThat(other.ask("acquire", ANSWER, "ACQUIRED", "BUSY", "ERROR")).isEqualTo("ACQUIRED");
		other.kill();
		assertThat(Files.getAttribute(lockFile(), "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(OtherUser.UID);
		LockLease lease = new FileLockBackend(this.directory).tryAcquire(this.request).orElseThrow();
		this.leases.add(lease);
		assertThat(Files.getAttribute(lockFile(), "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0);
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
		ChildJvm next = otherUser();
		assertThat(next.ask("acquire", ANSWER, "ACQUIRED", "BUSY", "ERROR")).isEqualTo("BUSY");
		assertThat(next.ask("inspect", ANSWER, "HOLDER", "FREE")).isEqualTo("HOLDER " + ProcessHandle.current().pid());
	}

	@Test
	void leftoverOfAnotherUserIsExplainedToAnOrdinaryUser() throws Exception {
		LockLease lease = new FileLockBackend(this.directory).tryAcquire(this.request).orElseThrow();
		ChildJvm other = otherUser();
		assertThat(other.ask("acquire", ANSWER, "ACQUIRED", "BUSY", "ERROR")).isEqualTo("BUSY");
		assertThat(other.ask("inspect", ANSWER, "HOLDER", "FREE")).isEqualTo("HOLDER " + ProcessHandle.current().pid());
		// a leftover of root's instance: kept as a crash would keep it
		Path kept = this.directory.resolve("kept");
		Files.createLink(kept, lockFile());
		lease.release();
		Files.move(kept, lockFile());
		assertThat(other.ask("acquire", ANSWER, "ACQUIRED", "BUSY", "ERROR")).startsWith("ERROR UNSAFE_LOCK_FILE")
			.contains("belongs to user root (uid 0)")
			.contains("leftover");
		other.await(ANSWER, "END");
		assertThat(other.transcript())
			.anySatisfy((line) -> assertThat(line).startsWith("HELP ").contains("rm " + lockFile()));
	}

}
