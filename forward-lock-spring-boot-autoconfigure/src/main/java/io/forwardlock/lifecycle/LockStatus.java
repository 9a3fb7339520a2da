package io.forwardlock.lifecycle;

import java.time.Duration;
import java.time.Instant;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.Verification;
import org.jspecify.annotations.Nullable;

/**
 * Immutable snapshot of the instance lock, kept in memory by the lifecycle so that health
 * checks and endpoints never touch the lock itself.
 *
 * @param state lifecycle state of the lock
 * @param backend id of the backend, such as {@code file}
 * @param lockName name of the lock
 * @param location lock location, such as the lock file path
 * @param holder holder record of this instance once acquired, otherwise the last known
 * other holder (while on standby), may be {@code null}
 * @param heartbeatEnabled whether the heartbeat is on
 * @param heartbeatInterval heartbeat period
 * @param staleTimeout age after which a heartbeat counts as stale
 * @param lastHeartbeatAt time of the last successful heartbeat, may be {@code null}
 * @param verifyInterval period of the ownership verification
 * @param lastVerification result of the last verification, may be {@code null}
 * @param fencingToken fencing token of the current acquisition, may be {@code null}
 */
public record LockStatus(LockState state, String backend, String lockName, String location,
		@Nullable HolderRecord holder, boolean heartbeatEnabled, Duration heartbeatInterval, Duration staleTimeout,
		@Nullable Instant lastHeartbeatAt, Duration verifyInterval, @Nullable Verification lastVerification,
		@Nullable Long fencingToken) {

	/**
	 * Whether this instance holds the lock and its last verification (if any) passed.
	 * @return {@code true} if the lock is held and healthy
	 */
	public boolean isHealthy() {
		return this.state == LockState.ACQUIRED && (this.lastVerification == null || this.lastVerification.isHeld());
	}

	/**
	 * Time of the last verification.
	 * @return the time, or {@code null} if never verified
	 */
	public Instant lastVerifiedAt() {
		return (this.lastVerification != null) ? this.lastVerification.verifiedAt() : null;
	}

	/**
	 * Copy with another state.
	 * @param state the state
	 * @return the copy
	 */
	public LockStatus withState(LockState state) {
		return new LockStatus(state, this.backend, this.lockName, this.location, this.holder, this.heartbeatEnabled,
				this.heartbeatInterval, this.staleTimeout, this.lastHeartbeatAt, this.verifyInterval,
				this.lastVerification, this.fencingToken);
	}

	/**
	 * Copy with another state and holder.
	 * @param state the state
	 * @param holder the holder, may be {@code null}
	 * @return the copy
	 */
	public LockStatus withHolder(LockState state, @Nullable HolderRecord holder) {
		return new LockStatus(state, this.backend, this.lockName, this.location, holder, this.heartbeatEnabled,
				this.heartbeatInterval, this.staleTimeout, this.lastHeartbeatAt, this.verifyInterval,
				this.lastVerification, this.fencingToken);
	}

	/**
	 * Copy for a new acquisition: nothing of an earlier one (a lost verification, an old
	 * heartbeat) carries over.
	 * @param holder this instance's holder record
	 * @param fencingToken the fencing token, may be {@code null}
	 * @return the copy
	 */
	public LockStatus withAcquisition(HolderRecord holder, @Nullable Long fencingToken) {
		return new LockStatus(LockState.ACQUIRED, this.backend, this.lockName, this.location, holder,
				this.heartbeatEnabled, this.heartbeatInterval, this.staleTimeout, null, this.verifyInterval, null,
				fencingToken);
	}

	/**
	 * Copy with the outcome of a verification.
	 * @param verification the outcome
	 * @return the copy
	 */
	public LockStatus withVerification(Verification verification) {
		return new LockStatus(this.state, this.backend, this.lockName, this.location, this.holder,
				this.heartbeatEnabled, this.heartbeatInterval, this.staleTimeout, this.lastHeartbeatAt,
				this.verifyInterval, verification, this.fencingToken);
	}

	/**
	 * Copy with the time of a successful heartbeat.
	 * @param heartbeatAt the time
	 * @return the copy
	 */
	public LockStatus withHeartbeatAt(Instant heartbeatAt) {
		return new LockStatus(this.state, this.backend, this.lockName, this.location, this.holder,
				this.heartbeatEnabled, this.heartbeatInterval, this.staleTimeout, heartbeatAt, this.verifyInterval,
				this.lastVerification, this.fencingToken);
	}

}
