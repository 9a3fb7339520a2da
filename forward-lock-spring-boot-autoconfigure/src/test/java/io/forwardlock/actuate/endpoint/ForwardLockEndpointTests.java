package io.forwardlock.actuate.endpoint;

import java.time.Duration;

import io.forwardlock.actuate.TestLockStatuses;
import io.forwardlock.actuate.TestLockStatuses.MutableLockStatusProvider;
import io.forwardlock.actuate.endpoint.ForwardLockEndpoint.ForwardLockDescriptor;
import io.forwardlock.actuate.endpoint.ForwardLockEndpoint.HolderDescriptor;
import io.forwardlock.lifecycle.LockState;
import io.forwardlock.lifecycle.LockStatus;
import io.forwardlock.lock.HolderRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardLockEndpoint}.
 */
@Timeout(10)
class ForwardLockEndpointTests {

	private final MutableLockStatusProvider statusProvider = new MutableLockStatusProvider(TestLockStatuses.acquired());

	private final ForwardLockEndpoint endpoint = new ForwardLockEndpoint(this.statusProvider);

	@Test
	void forwardLockDescribesHeldLock() {
		ForwardLockDescriptor descriptor = this.endpoint.forwardLock();
		assertThat(descriptor.state()).isEqualTo(LockState.ACQUIRED);
		assertThat(descriptor.backend()).isEqualTo("file");
		assertThat(descriptor.lockName()).isEqualTo("billing");
		assertThat(descriptor.location()).isEqualTo("/var/lock/billing.lock");
		assertThat(descriptor.holder()).isEqualTo(new HolderDescriptor(4242L, "host-a",
				TestLockStatuses.PROCESS_STARTED_AT, TestLockStatuses.ACQUIRED_AT, "billing", "7c1f0d0e-instance"));
		assertThat(descriptor.heartbeat().enabled()).isTrue();
		assertThat(descriptor.heartbeat().interval()).isEqualTo(Duration.ofSeconds(30));
		assertThat(descriptor.heartbeat().staleTimeout()).isEqualTo(Duration.ofSeconds(60));
		assertThat(descriptor.heartbeat().lastBeatAt()).isEqualTo(TestLockStatuses.LAST_BEAT_AT);
		assertThat(descriptor.verifyInterval()).isEqualTo(Duration.ofSeconds(5));
		assertThat(descriptor.lastVerifiedAt()).isEqualTo(TestLockStatuses.VERIFIED_AT);
		assertThat(descriptor.fencingToken()).isEqualTo(17L);
	}

	@Test
	void forwardLockFollowsTheLatestSnapshot() {
		assertThat(this.endpoint.forwardLock().state()).isEqualTo(LockState.ACQUIRED);
		this.statusProvider.setStatus(TestLockStatuses.lost());
		assertThat(this.endpoint.forwardLock().state()).isEqualTo(LockState.LOST);
	}

	@Test
	void forwardLockBeforeStartHasNoHolderAndNoFencingToken() {
		this.statusProvider.setStatus(TestLockStatuses.notStarted());
		ForwardLockDescriptor descriptor = this.endpoint.forwardLock();
		assertThat(descriptor.state()).isEqualTo(LockState.NOT_STARTED);
		assertThat(descriptor.holder()).isNull();
		assertThat(descriptor.fencingToken()).isNull();
		assertThat(descriptor.lastVerifiedAt()).isNull();
		assertThat(descriptor.heartbeat().enabled()).isFalse();
	}

	@Test
	void forwardLockWithUnknownHolderPidReportsNoPid() {
		this.statusProvider.setStatus(new LockStatus(LockState.STANDBY, "file", "billing", "/var/lock/billing.lock",
				HolderRecord.unknown(), false, null, null, null, null, null, null));
		assertThat(this.endpoint.forwardLock().holder().pid()).isNull();
	}

	@Test
	void descriptorSerializesToTheDocumentedJsonFields() {
		JsonMapper mapper = JsonMapper.builder().build();
		String json = mapper.writeValueAsString(this.endpoint.forwardLock());
		assertThat(mapper.readTree(json).propertyNames()).containsExactlyInAnyOrder("state", "backend", "lockName",
				"location", "holder", "heartbeat", "verifyInterval", "lastVerifiedAt", "fencingToken");
		assertThat(mapper.readTree(json).get("holder").propertyNames()).containsExactlyInAnyOrder("pid", "hostname",
				"processStartedAt", "acquiredAt", "applicationName", "instanceId");
		assertThat(mapper.readTree(json).get("heartbeat").propertyNames()).containsExactlyInAnyOrder("enabled",
				"interval", "staleTimeout", "lastBeatAt");
	}

}
