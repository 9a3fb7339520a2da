package io.forwardlock.benchmarks;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;

/**
 * Acquisition helper that turns an unexpected refusal into a failed benchmark rather than
 * a fast, meaningless one.
 */
final class FileLocks {

	private FileLocks() {
	}

	static LockLease acquire(FileLockBackend backend, LockRequest request) {
		return backend.tryAcquire(request)
			.orElseThrow(() -> new IllegalStateException("forward-lock did not acquire " + request.name()));
	}

}
