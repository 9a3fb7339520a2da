package io.forwardlock.lock;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Base of the leases that expire by themselves unless the backend confirms them again (a
 * database row, a Kubernetes {@code Lease}, a ZooKeeper session): what they answer from
 * what they were granted and from their {@link LeaseDeadline} alone, with no remote call.
 * {@link #ensureHeld()} fails once the lease is released, lost or past its deadline;
 * {@link #timeLeft()} counts down to the deadline; {@link #onSuspectedLoss(Runnable)} is
 * told when the deadline passes.
 * <p>
 * A subclass verifies, renews and releases against its backend; it starts its
 * {@link #release()} with {@link #markReleased()}, which makes it idempotent.
 */
public abstract class ExpiringLease implements LockLease {

	private final LockBackend backend;

	private final LockRequest request;

	private final HolderRecord holder;

	private final long token;

	private final LeaseDeadline deadline;

	private final AtomicBoolean released = new AtomicBoolean();

	/**
	 * Create a lease.
	 * @param backend the backend that granted it
	 * @param request the request it was granted for
	 * @param holder the holder record it was acquired with
	 * @param token its fencing token
	 * @param deadline its deadline, counted from just before the request that acquired it
	 * was sent
	 */
	protected ExpiringLease(LockBackend backend, LockRequest request, HolderRecord holder, long token,
			LeaseDeadline deadline) {
		this.backend = Objects.requireNonNull(backend, "'backend' must not be null");
		this.request = Objects.requireNonNull(request, "'request' must not be null");
		this.holder = Objects.requireNonNull(holder, "'holder' must not be null");
		this.token = token;
		this.deadline = Objects.requireNonNull(deadline, "'deadline' must not be null");
	}

	@Override
	public final String lockName() {
		return this.request.name();
	}

	@Override
	public final String backendId() {
		return this.backend.id();
	}

	@Override
	public final String location() {
		return this.backend.describeLocation(this.request);
	}

	@Override
	public final HolderRecord holder() {
		return this.holder;
	}

	@Override
	public OptionalLong fencingToken() {
		return OptionalLong.of(this.token);
	}

	/**
	 * Request this lease was granted for.
	 * @return the request
	 */
	protected final LockRequest request() {
		return this.request;
	}

	/**
	 * Deadline of this lease.
	 * @return the deadline
	 */
	protected final LeaseDeadline deadline() {
		return this.deadline;
	}

	/**
	 * Fail once the lease is released, lost or past its local deadline, without a remote
	 * call.
	 */
	@Override
	public final void ensureHeld() {
		if (isReleased()) {
			throw LockErrors.lockLost(location(), "the lease was released", null);
		}
		this.deadline.ensureHeld(location());
	}

	@Override
	public final Optional<Duration> timeLeft() {
		return isReleased() ? Optional.of(Duration.ZERO) : this.deadline.timeLeft();
	}

	/**
	 * Call the listener when the local deadline passes without a confirmation.
	 */
	@Override
	public final void onSuspectedLoss(Runnable listener) {
		this.deadline.onPassed(listener);
	}

	@Override
	public final boolean isReleased() {
		return this.released.get();
	}

	/**
	 * Mark the lease released and stop telling of its deadline; the first call of
	 * {@link #release()} goes on to release it in the backend.
	 * @return whether this was the first call
	 */
	protected final boolean markReleased() {
		if (!this.released.compareAndSet(false, true)) {
			return false;
		}
		this.deadline.onPassed(null);
		return true;
	}

	/**
	 * Exception that reports the loss of this lease, once it is lost.
	 * @return the {@link LockErrorType#LOCK_LOST} exception
	 */
	protected final LockException lostException() {
		return this.deadline.lostException(location());
	}

}
