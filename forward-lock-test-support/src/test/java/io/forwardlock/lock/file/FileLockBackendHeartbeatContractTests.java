package io.forwardlock.lock.file;

import java.time.Duration;

import io.forwardlock.lock.LockBackendContractTests;
import io.forwardlock.lock.LockRequest;

/**
 * {@link LockBackendContractTests} for the {@link FileLockBackend} with the heartbeat on:
 * acquisitions then serialize on the takeover file and carry fencing tokens.
 */
class FileLockBackendHeartbeatContractTests extends FileLockBackendContractTests {

	@Override
	protected LockRequest request(String name) {
		return LockRequest.named(name)
			.applicationName("contract-test")
			.heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(3))
			.build();
	}

	@Override
	protected boolean supportsFencingTokens() {
		return true;
	}

}
