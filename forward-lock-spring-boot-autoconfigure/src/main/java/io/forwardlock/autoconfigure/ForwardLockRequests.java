package io.forwardlock.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

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

	private static final int MAX_NAME_LENGTH = 128;

	private ForwardLockRequests() {
	}

	/**
	 * Lock name: {@code forward.lock.name}, else {@code spring.application.name} made
	 * safe for a file name, else {@value #DEFAULT_NAME}. An application name that had to
	 * be changed (characters outside {@code A-Za-z0-9._-}, more than 128 characters) gets
	 * a readable part and the first 8 hex digits of the SHA-256 of the original, such as
	 * {@code application-1f2e3d4c} for {@code 注文}, so that distinct names never share a
	 * lock.
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
		String original = applicationName.trim();
		String safe = original.replaceAll("[^A-Za-z0-9._-]", "-").replaceAll("^[._-]+", "");
		if (safe.equals(original) && safe.length() <= MAX_NAME_LENGTH) {
			return safe;
		}
		// two names that read alike once made safe (other scripts, a long shared
		// prefix) must not share a lock: a short hash of the original keeps them apart
		String readable = safe.isEmpty() ? DEFAULT_NAME : safe;
		String hash = "-" + shortHash(original);
		int room = MAX_NAME_LENGTH - hash.length();
		return ((readable.length() > room) ? readable.substring(0, room) : readable) + hash;
	}

	private static String shortHash(String text) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest, 0, 4);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
		}
	}

	static LockRequest request(ForwardLockProperties properties, Environment environment) {
		String name = lockName(properties, environment);
		String applicationName = environment.getProperty("spring.application.name", name);
		return LockRequest.named(name)
			.applicationName(applicationName)
			.heartbeatEnabled(properties.getHeartbeat().isEnabled())
			.heartbeatInterval(properties.getHeartbeat().getInterval())
			.staleTimeout(properties.getStaleTimeout())
			.directoryMode(LockRequest.parseDirectoryMode(properties.getDirMode()))
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
