package io.forwardlock.lock.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The lock directory decides who can replace the files in it: {@link FileLockBackend}
 * refuses one that other users may write to without the sticky bit, or that belongs to
 * another user than this one or root.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LockDirectorySafetyTests {

	@TempDir
	Path parent;

	private final LockRequest request = LockRequest.named("app").build();

	private Path directory(int mode) throws Exception {
		Path directory = Files.createDirectory(this.parent.resolve("locks"));
		Files.setAttribute(directory, "unix:mode", mode);
		assumeThat((Integer) Files.getAttribute(directory, "unix:mode") & 07777).as("mode set").isEqualTo(mode);
		return directory;
	}

	private void assertRefused(Path directory, String reason) throws Exception {
		FileLockBackend backend = new FileLockBackend(directory);
		assertThatExceptionOfType(LockException.class).isThrownBy(() -> backend.tryAcquire(this.request))
			.satisfies((ex) -> {
				assertThat(ex.getType()).isEqualTo(LockErrorType.UNSAFE_LOCK_DIRECTORY);
				assertThat(ex.getSummary()).contains(directory.toString()).contains(reason);
				assertThat(ex.getHelp()).anySatisfy((line) -> assertThat(line).contains("new FileLockBackend("));
			});
		try (var files = Files.list(directory)) {
			assertThat(files).as("nothing created").isEmpty();
		}
	}

	@Test
	void directoryWritableByEveryoneWithoutStickyBitIsRefused() throws Exception {
		Path directory = directory(0777);
		assertRefused(directory, "without the sticky bit");
	}

	@Test
	void directoryWritableByItsGroupWithoutStickyBitIsRefused() throws Exception {
		Path directory = directory(0770);
		assertRefused(directory, "without the sticky bit");
	}

	@Test
	void sharedDirectoryWithStickyBitIsAccepted() throws Exception {
		Path directory = directory(01777);
		LockLease lease = new FileLockBackend(directory).tryAcquire(this.request).orElseThrow();
		lease.release();
	}

	@Test
	void privateDirectoryIsAccepted() throws Exception {
		Path directory = directory(0755);
		LockLease lease = new FileLockBackend(directory).tryAcquire(this.request).orElseThrow();
		lease.release();
	}

	@Test
	void directoryOfAnotherUserIsRefused() throws Exception {
		assumeThat(ProcessOwner.uid()).as("root, to give the directory away").isZero();
		Path directory = directory(0755);
		UserPrincipal nobody = directory.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("65534");
		Files.setOwner(directory, nobody);
		assertRefused(directory, "belongs to uid 65534");
	}

	@Test
	void directoryMadeUnsafeAfterAnAcquisitionIsRefusedAtTheNextOneOfTheSameBackend() throws Exception {
		Path directory = directory(0755);
		FileLockBackend backend = new FileLockBackend(directory);
		backend.tryAcquire(this.request).orElseThrow().release();
		Files.setAttribute(directory, "unix:mode", 0777);
		assertThatExceptionOfType(LockException.class).isThrownBy(() -> backend.tryAcquire(this.request))
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.UNSAFE_LOCK_DIRECTORY));
	}

	@Test
	void directoryReplacedByALinkToAnUnsafeDirectoryIsRefusedAtTheNextAcquisition() throws Exception {
		Path directory = directory(0755);
		FileLockBackend backend = new FileLockBackend(directory);
		backend.tryAcquire(this.request).orElseThrow().release();
		Path unsafe = Files.createDirectory(this.parent.resolve("unsafe"));
		Files.setAttribute(unsafe, "unix:mode", 0777);
		Files.delete(directory);
		Files.createSymbolicLink(directory, unsafe);
		assertThatExceptionOfType(LockException.class).isThrownBy(() -> backend.tryAcquire(this.request))
			.satisfies((ex) -> assertThat(ex.getSummary()).contains(unsafe.toString()));
	}

	@Test
	void inspectionRefusesAnUnsafeDirectoryToo() throws Exception {
		Path directory = directory(0777);
		assertThatExceptionOfType(LockException.class)
			.isThrownBy(() -> new FileLockBackend(directory).inspect(this.request))
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.UNSAFE_LOCK_DIRECTORY));
	}

}
