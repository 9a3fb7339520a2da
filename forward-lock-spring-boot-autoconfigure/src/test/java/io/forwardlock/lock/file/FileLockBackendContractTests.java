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
		ChildJvm child = ChildJvm.start(LockHolderProcess.class, this.directory.toString(), request.name());
		try {
			child.await(Duration.ofSeconds(60), "READY");
			String answer = child.ask("acquire", Duration.ofSeconds(60), "ACQUIRED", "BUSY", "ERROR");
			if (!answer.equals("ACQUIRED")) {
				throw new AssertionError("Child could not acquire: " + answer);
			}
		}
		catch (Exception | AssertionError ex) {
			child.close();
			throw ex;
		}
		return new ExternalHolder() {

			@Override
			public void vanish() throws Exception {
				child.kill();
			}

			@Override
			public long pid() {
				return child.pid();
			}

			@Override
			public void close() {
				child.close();
			}

		};
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
