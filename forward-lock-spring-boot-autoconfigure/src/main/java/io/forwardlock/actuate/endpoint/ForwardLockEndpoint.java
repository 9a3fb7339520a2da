package io.forwardlock.actuate.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import io.forwardlock.lifecycle.LockState;
import io.forwardlock.lifecycle.LockStatus;
import io.forwardlock.lifecycle.LockStatusProvider;
import io.forwardlock.lock.HolderRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@link Endpoint @Endpoint} that tells operators who holds the instance lock, at
 * {@code /actuator/forwardlock} once exposed.
 * <p>
 * It answers from the in-memory {@link LockStatus} snapshot, so reading it never disturbs
 * the lock. It shows only what the holder record carries: no command line, no environment
 * and no credentials.
 */
@Endpoint(id = "forwardlock")
public class ForwardLockEndpoint {

	private final LockStatusProvider statusProvider;

	/**
	 * Create a new instance.
	 * @param statusProvider source of the lock snapshot
	 */
	public ForwardLockEndpoint(LockStatusProvider statusProvider) {
		this.statusProvider = Objects.requireNonNull(statusProvider, "'statusProvider' must not be null");
	}

	/**
	 * Describe the lock.
	 * @return the descriptor of the current lock snapshot
	 */
	@ReadOperation
	public ForwardLockDescriptor forwardLock() {
		return ForwardLockDescriptor.of(this.statusProvider.getStatus());
	}

	/**
	 * Description of the instance lock, as the endpoint returns it.
	 *
	 * @param state lifecycle state, such as {@code ACQUIRED} or {@code STANDBY}
	 * @param backend id of the backend, such as {@code file} or {@code jdbc}
	 * @param lockName name of the lock
	 * @param location location of the lock: the lock file for the file backend, the table
	 * and row for the JDBC backend
	 * @param holder holder of the lock as this instance knows it, may be {@code null}
	 * @param heartbeat heartbeat settings and last beat
	 * @param verifyInterval period of the ownership verification
	 * @param lastVerifiedAt time of the last verification, may be {@code null}
	 * @param fencingToken fencing token of the current acquisition, {@code null} when the
	 * backend has none
	 */
	public record ForwardLockDescriptor(LockState state, String backend, String lockName, String location,
			@Nullable HolderDescriptor holder, HeartbeatDescriptor heartbeat, Duration verifyInterval,
			@Nullable Instant lastVerifiedAt, @Nullable Long fencingToken) {

		static ForwardLockDescriptor of(LockStatus status) {
			HeartbeatDescriptor heartbeat = new HeartbeatDescriptor(status.heartbeatEnabled(),
					status.heartbeatInterval(), status.staleTimeout(), status.lastHeartbeatAt());
			return new ForwardLockDescriptor(status.state(), status.backend(), status.lockName(), status.location(),
					HolderDescriptor.of(status.holder()), heartbeat, status.verifyInterval(), status.lastVerifiedAt(),
					status.fencingToken());
		}

	}

	/**
	 * Description of a lock holder.
	 *
	 * @param pid process id, {@code null} when unknown
	 * @param hostname host name, may be {@code null}
	 * @param processStartedAt when the holder's process started, may be {@code null}
	 * @param acquiredAt when the holder acquired the lock, may be {@code null}
	 * @param applicationName application name of the holder, may be {@code null}
	 * @param instanceId random id of the holder instance, may be {@code null}
	 */
	public record HolderDescriptor(@Nullable Long pid, @Nullable String hostname, @Nullable Instant processStartedAt,
			@Nullable Instant acquiredAt, @Nullable String applicationName, @Nullable String instanceId) {

		static @Nullable HolderDescriptor of(@Nullable HolderRecord holder) {
			if (holder == null) {
				return null;
			}
			return new HolderDescriptor(holder.hasPid() ? holder.pid() : null, holder.hostname(),
					holder.processStartedAt(), holder.acquiredAt(), holder.applicationName(), holder.instanceId());
		}

	}

	/**
	 * Description of the heartbeat.
	 *
	 * @param enabled whether the holder heartbeats
	 * @param interval period between two heartbeats
	 * @param staleTimeout age after which a heartbeat counts as stale
	 * @param lastBeatAt time of the last successful heartbeat, may be {@code null}
	 */
	public record HeartbeatDescriptor(boolean enabled, Duration interval, Duration staleTimeout,
			@Nullable Instant lastBeatAt) {

	}

}
