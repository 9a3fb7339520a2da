package io.forwardlock.lock.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.testsupport.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A process whose umask would take bits away (even the owner's own write bit) or add some
 * still creates missing lock directories with exactly the requested mode, and can lock in
 * them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LockDirectoryModeProcessTests {

	@TempDir
	Path directory;

	@ParameterizedTest(name = "umask {0}, mode {1}")
	@CsvSource({ "0277, 0700", "0277, 1770", "0000, 0700", "0000, 0750", "0022, 1770" })
	void createdLockDirectoriesGetTheRequestedModeWhateverTheUmask(String umask, String mode) throws Exception {
		Path locks = this.directory.resolve("a/locks");
		// the shell sets the umask, then becomes the JVM
		List<String> prefix = List.of("sh", "-c", "umask " + umask + " && exec \"$0\" \"$@\"");
		try (ChildJvm child = ChildJvm.start(prefix, Acquirer.class, locks.toString(), mode)) {
			assertThat(child.await(Duration.ofSeconds(60), "ACQUIRED", "ERROR", "BUSY")).isEqualTo("ACQUIRED");
			assertThat(child.waitFor(Duration.ofSeconds(60))).isZero();
		}
		int expected = Integer.parseInt(mode, 8);
		assertThat(modeOf(locks)).as("created lock directory").isEqualTo(expected);
		assertThat(modeOf(locks.getParent())).as("created parent").isEqualTo(expected);
		assertThat(modeOf(this.directory)).as("existing directory").isEqualTo(0700);
	}

	private static int modeOf(Path path) throws Exception {
		return ((Integer) Files.getAttribute(path, "unix:mode")) & 07777;
	}

	/**
	 * Child: acquires lock {@code app} in the directory (argument 1) with the directory
	 * mode (argument 2, octal), prints {@code ACQUIRED} or {@code BUSY}, and releases.
	 */
	static final class Acquirer {

		public static void main(String[] args) {
			LockRequest request = LockRequest.named("app")
				.directoryMode(LockRequest.parseDirectoryMode(args[1]))
				.build();
			try {
				Optional<LockLease> lease = new FileLockBackend(Path.of(args[0])).tryAcquire(request);
				System.out.println(lease.isPresent() ? "ACQUIRED" : "BUSY");
				lease.ifPresent(LockLease::release);
			}
			catch (RuntimeException ex) {
				System.out.println("ERROR " + ex);
			}
		}

	}

}
