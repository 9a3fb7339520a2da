package io.forwardlock.actuate;

import java.time.Duration;
import java.time.Instant;

import io.forwardlock.lifecycle.LockState;
import io.forwardlock.lifecycle.LockStatus;
import io.forwardlock.lifecycle.LockStatusProvider;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.Verification;

/**
 * {@link LockStatus} snapshots for actuator tests, and a {@link LockStatusProvider} whose
 * snapshot a test can swap.
 */
public final class TestLockStatuses {

	/**
	 * Fixed time of acquisition in the snapshots.
	 */
	public static final Instant ACQUIRED_AT = Instant.parse("2026-11-28T01:00:00Z");

	/**
	 * Fixed time of the last heartbeat in the snapshots.
	 */
	public static final Instant LAST_BEAT_AT = Instant.parse("2026-11-28T01:05:00Z");

	/**
	 * Fixed time of the last verification in the snapshots.
	 */
	public static final Instant VERIFIED_AT = Instant.parse("2026-11-28T01:05:30Z");

	/**
	 * Fixed start time of the holder process in the snapshots.
	 */
	public static final Instant PROCESS_STARTED_AT = Instant.parse("2026-11-28T00:59:58Z");

	/**
	 * Holder record used by the snapshots.
	 */
	public static final HolderRecord HOLDER = new HolderRecord(4242, "host-a", PROCESS_STARTED_AT, ACQUIRED_AT,
			"billing", "7c1f0d0e-instance");

	private TestLockStatuses() {
	}

	/**
	 * Snapshot of a lock held by this instance and verified.
	 * @return the snapshot
	 */
	public static LockStatus acquired() {
		return withVerification(LockState.ACQUIRED,
				new Verification(Verification.Status.HELD, "lock held", null, VERIFIED_AT));
	}

	/**
	 * Snapshot of a lock that this instance lost to another holder.
	 * @return the snapshot
	 */
	public static LockStatus lost() {
		HolderRecord other = new HolderRecord(777, "host-b", null, VERIFIED_AT, "billing", "other-instance");
		return withVerification(LockState.LOST,
				new Verification(Verification.Status.LOST, "lock file replaced", other, VERIFIED_AT));
	}

	/**
	 * Snapshot of a given state with a given last verification.
	 * @param state the state
	 * @param verification the last verification, may be {@code null}
	 * @return the snapshot
	 */
	public static LockStatus withVerification(LockState state, Verification verification) {
		return new LockStatus(state, "file", "billing", "/var/lock/billing.lock", HOLDER, true, Duration.ofSeconds(30),
				Duration.ofSeconds(60), LAST_BEAT_AT, Duration.ofSeconds(5), verification, 17L);
	}

	/**
	 * Snapshot of a lock the lifecycle has not tried to take yet: nothing but the state
	 * and the settings are known.
	 * @return the snapshot
	 */
	public static LockStatus notStarted() {
		return new LockStatus(LockState.NOT_STARTED, null, null, null, null, false, Duration.ofSeconds(30),
				Duration.ofSeconds(60), null, Duration.ofSeconds(5), null, null);
	}

	/**
	 * {@link LockStatusProvider} whose snapshot can be swapped.
	 */
	public static final class MutableLockStatusProvider implements LockStatusProvider {

		private volatile LockStatus status;

		/**
		 * Create a new instance.
		 * @param status the initial snapshot
		 */
		public MutableLockStatusProvider(LockStatus status) {
			this.status = status;
		}

		@Override
		public LockStatus getStatus() {
			return this.status;
		}

		/**
		 * Replace the snapshot.
		 * @param status the new snapshot
		 */
		public void setStatus(LockStatus status) {
			this.status = status;
		}

	}

}
