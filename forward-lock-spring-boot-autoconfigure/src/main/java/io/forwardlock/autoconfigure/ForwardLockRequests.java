package io.forwardlock.autoconfigure;

import io.forwardlock.lifecycle.LockAcquisitionPolicy;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;

import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Turns {@link ForwardLockProperties} into the core's request, policy and file backend.
 * Shared by the beans and by the early acquisition, which runs before beans exist.
 */
final class ForwardLockRequests {

	static final String DEFAULT_NAME = "application";

	private ForwardLockRequests() {
	}

	/**
	 * Lock name: {@code forward.lock.name}, else {@code spring.application.name} made
	 * safe for a file name, else {@value #DEFAULT_NAME}.
	 * @param properties the properties
	 * @param environment the environment
	 * @return the lock name
	 */
	static String lockName(ForwardLockProperties properties, Environment environment) {
		if (StringUtils.hasText(properties.getName())) {
			return properties.getName();
		}
		String applicationName = environment.getProperty("spring.application.name");
		if (!StringUtils.hasText(applicationName)) {
			return DEFAULT_NAME;
		}
		String safe = applicationName.trim().replaceAll("[^A-Za-z0-9._-]", "-").replaceAll("^[._-]+", "");
		if (safe.isEmpty()) {
			return DEFAULT_NAME;
		}
		return (safe.length() > 128) ? safe.substring(0, 128) : safe;
	}

	static LockRequest request(ForwardLockProperties properties, Environment environment) {
		String name = lockName(properties, environment);
		String applicationName = environment.getProperty("spring.application.name", name);
		return LockRequest.named(name)
			.applicationName(applicationName)
			.heartbeatEnabled(properties.getHeartbeat().isEnabled())
			.heartbeatInterval(properties.getHeartbeat().getInterval())
			.staleTimeout(properties.getStaleTimeout())
			.build();
	}

	static LockAcquisitionPolicy policy(ForwardLockProperties properties) {
		return new LockAcquisitionPolicy(properties.getMaxRetries(), properties.getRetryDelay(), properties.isStandby(),
				properties.getExitCode());
	}

	static FileLockBackend fileBackend(ForwardLockProperties properties, LockRequest request) {
		return (properties.getDir() != null) ? new FileLockBackend(properties.getDir())
				: FileLockBackend.forPlatform(request.name());
	}

}
