package io.forwardlock.lock;

import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Outcome of {@link LockLease#verify()}.
 *
 * @param status whether the lease still holds the lock
 * @param detail short human-readable explanation, never {@code null}
 * @param currentHolder holder that took the lock over when {@link Status#LOST}, may be
 * {@code null}
 * @param verifiedAt when the verification ran
 */
public record Verification(Status status, String detail, @Nullable HolderRecord currentHolder, Instant verifiedAt) {

	/**
	 * Create a new instance.
	 * @param status whether the lease still holds the lock
	 * @param detail short explanation
	 * @param currentHolder new holder, if known
	 * @param verifiedAt when the verification ran
	 */
	public Verification {
		Objects.requireNonNull(status, "'status' must not be null");
		Objects.requireNonNull(verifiedAt, "'verifiedAt' must not be null");
		detail = (detail != null) ? detail : "";
	}

	/**
	 * Verification that found the lock held.
	 * @return a {@link Status#HELD} verification
	 */
	public static Verification held() {
		return new Verification(Status.HELD, "lock held", null, Instant.now());
	}

	/**
	 * Verification that repaired the lock (for example re-created a vanished file).
	 * @param detail what was repaired
	 * @return a {@link Status#HEALED} verification
	 */
	public static Verification healed(String detail) {
		return new Verification(Status.HEALED, detail, null, Instant.now());
	}

	/**
	 * Verification that found the lock lost.
	 * @param detail why the lock is considered lost
	 * @param currentHolder who holds it now, if known
	 * @return a {@link Status#LOST} verification
	 */
	public static Verification lost(String detail, HolderRecord currentHolder) {
		return new Verification(Status.LOST, detail, currentHolder, Instant.now());
	}

	/**
	 * Whether the lease still holds the lock.
	 * @return {@code true} unless {@link Status#LOST}
	 */
	public boolean isHeld() {
		return this.status != Status.LOST;
	}

	/**
	 * Whether a lease still holds its lock.
	 */
	public enum Status {

		/**
		 * The lock is held and nothing had to be repaired.
		 */
		HELD,

		/**
		 * The lock is held, after a repair that nobody else interfered with (for example
		 * a deleted lock file was re-created). Worth a warning, not a loss.
		 */
		HEALED,

		/**
		 * The lock is no longer held by this lease.
		 */
		LOST

	}

}
