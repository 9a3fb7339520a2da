package io.forwardlock.lock.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockBackendContractTests;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.testsupport.ChildJvm;
import io.forwardlock.lock.file.testsupport.LockHolderProcess;

/**
 * {@link LockBackendContractTests} for the {@link FileLockBackend}: the external holder
 * is a child JVM, killed with SIGKILL to vanish, and a lease is broken by renaming over
 * its lock file a file that another child JVM holds.
 */
class FileLockBackendContractTests extends LockBackendContractTests {

	@TempDir
	Path directory;

	private final List<ChildJvm> others = new ArrayList<>();

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
		// a replacement that nobody locks is taken over by the holder: the replacement
		// must be held by another process
		Path elsewhere = Files.createDirectories(this.directory.resolve("elsewhere"));
		ChildJvm other = ChildJvm.start(LockHolderProcess.class, elsewhere.toString(), request.name());
		this.others.add(other);
		other.await(Duration.ofSeconds(60), "READY");
		other.ask("acquire", Duration.ofSeconds(60), "ACQUIRED");
		Files.move(elsewhere.resolve(request.name() + ".lock"), this.directory.resolve(request.name() + ".lock"),
				StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
	}

	@AfterEach
	void stopOthers() {
		this.others.forEach(ChildJvm::close);
	}

	@Override
	protected Duration takeoverTimeout() {
		return Duration.ZERO;
	}

}
