package io.forwardlock.lock;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * Base of the leases that expire by themselves unless the backend confirms them again (a
 * database row, a Kubernetes {@code Lease}, a ZooKeeper session): what they answer from
 * what they were granted and from their {@link LeaseDeadline} alone, with no remote call.
 * {@link #ensureHeld()} fails once the lease is released, lost or past its deadline;
 * {@link #timeLeft()} counts down to the deadline; {@link #onSuspectedLoss(Runnable)} is
 * told when the deadline passes, or when the subclass hears of a change that may have
 * cost the lock ({@link #suspectLoss()}).
 * <p>
 * A subclass verifies, renews and releases against its backend. It verifies and renews
 * through {@link #verifyBy} and {@link #renewBy}, which hold the rules that keep a lease
 * from outliving its deadline (no call once it has passed, a failure after it counts as a
 * loss, a renewal that answers after a loss was declared does not revive the lease), and
 * it starts its {@link #release()} with {@link #markReleased()}, which makes it
 * idempotent.
 */
public abstract class ExpiringLease implements LockLease {

	private final LockBackend backend;

	private final LockRequest request;

	private final HolderRecord holder;

	private final long token;

	private final LeaseDeadline deadline;

	private final AtomicBoolean released = new AtomicBoolean();

	private volatile @Nullable Runnable suspectedLoss;

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
	 * Call the listener when the local deadline passes without a confirmation, or when
	 * the subclass {@link #suspectLoss() hears} of a change that may have cost the lock.
	 */
	@Override
	public final void onSuspectedLoss(@Nullable Runnable listener) {
		this.suspectedLoss = listener;
		this.deadline.onPassed(listener);
	}

	/**
	 * Tell the listener of {@link #onSuspectedLoss(Runnable)}, on the caller's thread,
	 * that the backend reported a change that may have cost the lock (a ZooKeeper watch
	 * on the lock node), so that it verifies now rather than at its next check: the
	 * deadline's timer tells only of a deadline that passed, never of a loss that a
	 * backend call marked. Nothing happens once the lease is released.
	 */
	protected final void suspectLoss() {
		Runnable listener = this.suspectedLoss;
		if (listener != null && !isReleased()) {
			listener.run();
		}
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
		this.suspectedLoss = null;
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

	/**
	 * Verify this lease by reading its state from the backend. A released lease is lost;
	 * past its deadline it is lost without a call; a call that fails reports the backend
	 * unavailable, unless the deadline passed meanwhile; what the call read either is
	 * still this lease's or makes it lost.
	 * @param <T> type of what the call reads
	 * @param <E> type of the backend's failures
	 * @param failures how the backend fails
	 * @param operation what the call does, completing "Failed to ...", such as "verify
	 * the lease in the database"
	 * @param read reads the lease's state, waiting no longer than the deadline
	 * @param isOurs whether what was read is still this lease's
	 * @param markLost marks the lease lost ({@link LeaseDeadline#markLost}) with what was
	 * read, which may name the new holder
	 * @return {@link Verification.Status#HELD} or {@link Verification.Status#LOST}
	 * @throws LockException with {@link LockErrorType#BACKEND_UNAVAILABLE} when the call
	 * failed before the deadline
	 */
	protected final <T, E extends Exception> Verification verifyBy(BackendFailures<E> failures, String operation,
			BackendCall<T, E> read, Predicate<@Nullable T> isOurs, Consumer<@Nullable T> markLost) {
		if (isReleased()) {
			return Verification.lost("the lease was released", null);
		}
		if (this.deadline.hasPassed()) {
			return this.deadline.lostVerification();
		}
		T seen;
		try {
			seen = read.call();
		}
		catch (Exception ex) {
			E failure = failures.of(ex);
			if (this.deadline.hasPassed()) {
				return this.deadline.lostVerification();
			}
			throw failures.unavailable().apply(operation, failure);
		}
		if (isOurs.test(seen)) {
			return Verification.held();
		}
		markLost.accept(seen);
		return this.deadline.lostVerification();
	}

	/**
	 * Renew this lease in the backend. Nothing happens once it is released; past its
	 * deadline it is lost without a call; a call that fails reports the backend
	 * unavailable, unless the deadline passed meanwhile; a refused renewal makes it lost;
	 * a renewal confirms the lease from the moment it was sent, unless the lease was
	 * declared lost while the renewal was on its way; a renewal that fails or is refused
	 * once the lease was released meanwhile is no loss. Callers renew one at a time.
	 * @param <T> type of what the call answers
	 * @param <E> type of the backend's failures
	 * @param failures how the backend fails
	 * @param operation what the call does, completing "Failed to ...", such as "renew the
	 * lease in the database"
	 * @param renew renews the lease, waiting no longer than the deadline, and answers
	 * {@code null} when the backend refused (it may mark the loss first, with a reason of
	 * its own)
	 * @param refused why the lease is lost when the renewal was refused, unless the call
	 * marked the loss itself
	 * @return what the call answered, or {@code null} when the lease was released
	 * @throws LockException with {@link LockErrorType#LOCK_LOST} when the lease is lost,
	 * or {@link LockErrorType#BACKEND_UNAVAILABLE} when the call failed before the
	 * deadline
	 */
	protected final <T, E extends Exception> @Nullable T renewBy(BackendFailures<E> failures, String operation,
			BackendCall<T, E> renew, String refused) {
		if (isReleased()) {
			return null;
		}
		if (this.deadline.hasPassed()) {
			throw lostException();
		}
		long sentAt = this.deadline.now();
		T renewed;
		try {
			renewed = renew.call();
		}
		catch (Exception ex) {
			E failure = failures.of(ex);
			if (isReleased()) {
				// released while the renewal was on its way: nothing was lost
				return null;
			}
			if (this.deadline.hasPassed()) {
				throw lostException();
			}
			throw failures.unavailable().apply(operation, failure);
		}
		if (renewed == null) {
			if (isReleased()) {
				// The release expired the row before the renewal reached it: a clean
				// stop, not a loss, which would make the holder react as to a takeover
				return null;
			}
			this.deadline.markLost(refused, null);
			throw lostException();
		}
		if (!this.deadline.confirm(sentAt)) {
			// verify() declared the lease lost while the renewal was on its way: it stays
			// lost
			throw lostException();
		}
		return renewed;
	}

	/**
	 * A call to the backend, which fails with the backend's own exception.
	 *
	 * @param <T> type of the answer
	 * @param <E> type of the backend's failures
	 */
	@FunctionalInterface
	public interface BackendCall<T, E extends Exception> {

		/**
		 * Make the call.
		 * @return the answer
		 * @throws E when the backend failed or did not answer in time
		 */
		@Nullable T call() throws E;

	}

	/**
	 * How a backend fails: the type of its failures, and the exception that tells the
	 * holder that an operation could not reach it.
	 *
	 * @param <E> type of the backend's failures
	 * @param type type of the backend's failures
	 * @param unavailable makes the {@link LockErrorType#BACKEND_UNAVAILABLE} exception
	 * from what the call did (such as "renew the lease in the database") and the failure
	 */
	public record BackendFailures<E extends Exception>(Class<E> type,
			BiFunction<String, E, LockException> unavailable) {

		/**
		 * The backend's failure that a call threw. Other runtime exceptions (a bug, not
		 * an outage) are thrown on as they are.
		 * @param ex what the call threw
		 * @return the failure
		 */
		E of(Exception ex) {
			if (this.type.isInstance(ex)) {
				return this.type.cast(ex);
			}
			if (ex instanceof RuntimeException runtime) {
				throw runtime;
			}
			// a call declares only E: no other checked exception gets here
			throw new IllegalStateException("Unexpected failure of a backend call", ex);
		}

	}

}
