package io.forwardlock.autoconfigure;

import io.forwardlock.autoconfigure.ForwardLockProperties.Backend;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;

/**
 * {@link LockBackendFactory} for {@code forward.lock.backend=file}: a lock file in
 * {@code forward.lock.dir}, else in the platform's directory.
 */
final class FileLockBackendFactory implements LockBackendFactory {

	private final ForwardLockProperties properties;

	FileLockBackendFactory(ForwardLockProperties properties) {
		this.properties = properties;
	}

	@Override
	public Backend backend() {
		return Backend.FILE;
	}

	@Override
	public FileLockBackend createBackend(LockRequest request) {
		return ForwardLockRequests.fileBackend(this.properties, request);
	}

}
