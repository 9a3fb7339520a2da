package io.forwardlock.lock.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockBackendContractTests;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.testsupport.ChildJvm;
import io.forwardlock.lock.file.testsupport.LockHolderProcess;

/**
 * {@link LockBackendContractTests} for the {@link FileLockBackend}: the external holder
 * is a child JVM, killed with SIGKILL to vanish, and a lease is broken by renaming
 * another file over its lock file.
 */
class FileLockBackendContractTests extends LockBackendContractTests {

	@TempDir
	Path directory;

	@Override
	protected LockBackend createBackend() {
		return new FileLockBackend(this.directory);
	}

	@Override
	protected ExternalHolder startExternalHolder(LockRequest request) throws Exception {
		return ExternalHolder
			.acquiredBy(ChildJvm.start(LockHolderProcess.class, this.directory.toString(), request.name()));
	}

	@Override
	protected void breakLease(LockLease lease, LockRequest request) throws Exception {
		Path replacement = this.directory.resolve("replacement.tmp");
		Files.writeString(replacement, "1\n");
		Files.move(replacement, this.directory.resolve(request.name() + ".lock"), StandardCopyOption.ATOMIC_MOVE,
				StandardCopyOption.REPLACE_EXISTING);
	}

	@Override
	protected Duration takeoverTimeout() {
		return Duration.ZERO;
	}

}
