package io.forwardlock.lifecycle;

import java.time.Duration;

/**
 * How start-up acquires the lock: retries, standby, and the exit status when it cannot.
 *
 * @param maxRetries further attempts after the first one, at least {@code 0}
 * @param retryDelay pause between two attempts, also the poll interval of backends that
 * cannot block on their medium while on standby
 * @param standby whether to wait as long as it takes instead of failing
 * @param exitCode exit status of the process when the lock cannot be acquired
 */
public record LockAcquisitionPolicy(int maxRetries, Duration retryDelay, boolean standby, int exitCode) {

	/**
	 * Create a new instance.
	 * @param maxRetries further attempts after the first one
	 * @param retryDelay pause between two attempts
	 * @param standby whether to wait as long as it takes
	 * @param exitCode exit status when the lock cannot be acquired
	 */
	public LockAcquisitionPolicy {
		if (maxRetries < 0) {
			throw new IllegalArgumentException("maxRetries must not be negative, but was " + maxRetries);
		}
		if (retryDelay == null || retryDelay.isNegative() || retryDelay.isZero()) {
			throw new IllegalArgumentException("retryDelay must be positive, but was " + retryDelay);
		}
	}

	/**
	 * Policy of a single attempt that fails with the given exit code.
	 * @param exitCode the exit status
	 * @return the policy
	 */
	public static LockAcquisitionPolicy failFast(int exitCode) {
		return new LockAcquisitionPolicy(0, Duration.ofSeconds(1), false, exitCode);
	}

}
