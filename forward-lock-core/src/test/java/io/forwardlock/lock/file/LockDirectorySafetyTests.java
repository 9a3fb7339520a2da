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
		if (Files.isDirectory(directory)) {
			try (var files = Files.list(directory)) {
				assertThat(files).as("nothing created").isEmpty();
			}
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
	void directoryReplacedByALinkToAnotherSafeDirectoryIsLockedWhereTheLinkLeads() throws Exception {
		Path directory = directory(0755);
		FileLockBackend backend = new FileLockBackend(directory);
		backend.tryAcquire(this.request).orElseThrow().release();
		assertThat(backend.target(this.request, false).realPath()).isEqualTo(directory.resolve("app.lock"));
		Path elsewhere = Files.createDirectory(this.parent.resolve("elsewhere"));
		Files.setAttribute(elsewhere, "unix:mode", 0755);
		Files.delete(directory);
		Files.createSymbolicLink(directory, elsewhere);
		LockLease lease = backend.tryAcquire(this.request).orElseThrow();
		try {
			assertThat(backend.target(this.request, false).realPath()).as("real path, which keys this JVM's registry")
				.isEqualTo(elsewhere.resolve("app.lock"));
			assertThat(lease.location()).as("the path as configured")
				.isEqualTo(directory.resolve("app.lock").toString());
			assertThat(elsewhere.resolve("app.lock")).as("the lock file where the link leads").isRegularFile();
		}
		finally {
			lease.release();
		}
	}

	@Test
	void directoryInsideAParentThatEveryoneMayWriteToWithoutTheStickyBitIsRefused() throws Exception {
		Path shared = parentOfLocks(0777);
		Path directory = Files.createDirectory(shared.resolve("locks"));
		assertRefused(directory, "lies in " + shared + ", which can be written by every user (mode 0777)");
	}

	@Test
	void directoryInsideAParentOfAnotherUserIsRefused() throws Exception {
		assumeThat(ProcessOwner.uid()).as("root, to give the parent away").isZero();
		Path other = parentOfLocks(0755);
		Path directory = Files.createDirectory(other.resolve("locks"));
		Files.setOwner(other, other.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("65534"));
		assertRefused(directory, "lies in " + other + ", which belongs to uid 65534");
	}

	@Test
	void directoryCreatedInsideAParentThatEveryoneMayWriteToIsRefusedBeforeAnyLockFileIsCreated() throws Exception {
		Path shared = parentOfLocks(0777);
		Path directory = shared.resolve("locks");
		assertRefused(directory, "lies in " + shared);
	}

	@Test
	void directoryInsideASharedParentWithTheStickyBitIsAccepted() throws Exception {
		Path directory = Files.createDirectory(parentOfLocks(01777).resolve("locks"));
		new FileLockBackend(directory).tryAcquire(this.request).orElseThrow().release();
	}

	@Test
	void directoryInsideAParentThatOnlyItsGroupMayWriteToIsAccepted() throws Exception {
		// a volume with a group of its own (Kubernetes' fsGroup: mode 2775): the users
		// of that group are trusted with the directory tree, the lock directory itself
		// must still be private or sticky
		Path directory = Files.createDirectory(parentOfLocks(02775).resolve("locks"));
		new FileLockBackend(directory).tryAcquire(this.request).orElseThrow().release();
	}

	@Test
	void parentMadeWritableByEveryoneAfterAnAcquisitionIsRefusedOnceTheDirectoryIsReplaced() throws Exception {
		Path shared = parentOfLocks(0755);
		Path directory = Files.createDirectory(shared.resolve("locks"));
		FileLockBackend backend = new FileLockBackend(directory);
		backend.tryAcquire(this.request).orElseThrow().release();
		Files.setAttribute(shared, "unix:mode", 0777);
		// another user moves the lock directory away and makes a new one of this name
		Files.move(directory, shared.resolve("moved"));
		Files.createDirectory(directory);
		assertThatExceptionOfType(LockException.class).isThrownBy(() -> backend.tryAcquire(this.request))
			.satisfies((ex) -> assertThat(ex.getSummary()).contains("lies in " + shared));
	}

	private Path parentOfLocks(int mode) throws Exception {
		Path shared = Files.createDirectory(this.parent.resolve("shared"));
		Files.setAttribute(shared, "unix:mode", mode);
		assumeThat((Integer) Files.getAttribute(shared, "unix:mode") & 07777).as("mode set").isEqualTo(mode);
		return shared;
	}

	@Test
	void inspectionRefusesAnUnsafeDirectoryToo() throws Exception {
		Path directory = directory(0777);
		assertThatExceptionOfType(LockException.class)
			.isThrownBy(() -> new FileLockBackend(directory).inspect(this.request))
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.UNSAFE_LOCK_DIRECTORY));
	}

}
