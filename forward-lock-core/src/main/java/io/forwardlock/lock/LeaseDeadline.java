package io.forwardlock.lock;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * Local deadline of a lease that expires by itself (a database row, a Kubernetes
 * {@code Lease}, a ZooKeeper session), for the {@link LockLease} implementations of such
 * backends.
 * <p>
 * The deadline is the lease duration after the moment just before the last request that
 * the backend answered was <em>sent</em>, on this host's monotonic clock. The backend
 * starts timing the lease only when it receives that request, so the holder always gives
 * up first, whatever the wall clocks of the hosts say. {@link #confirm(long)} moves the
 * deadline forward after a renewal; it never moves it back, and never revives a lease
 * once lost.
 * <p>
 * Once the deadline has passed, or a backend call has shown the lease gone
 * ({@link #markLost(String, HolderRecord)}), the lease is lost for good; the first reason
 * given is kept. {@link #ensureHeld(String)} and {@link #timeLeft()} answer from the
 * local clock alone, with no remote call, and {@link #await} waits for a backend's answer
 * no longer than the lease has left, so that a hung backend cannot keep a holder
 * believing in a lease that has run out. {@link #onPassed(Runnable)} sets a timer that
 * reports the deadline as it passes, for {@link LockLease#onSuspectedLoss(Runnable)}.
 * <p>
 * <b>Safety margin.</b> A backend lets a contender in exactly at the end of the lease it
 * granted, so a holder must not trust the whole of it: {@link #withSafetyMargin} places
 * the deadline a {@link #trustedLease(Duration) safety margin} before that end, and every
 * backend with an expiring lease builds its deadline that way.
 * <p>
 * Thread-safe.
 */
public final class LeaseDeadline {

	/**
	 * Fires the timers of {@link #onPassed(Runnable)}. One daemon thread: a timer only
	 * checks the clock and calls a listener that schedules a verification elsewhere.
	 */
	private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "forward-lock-lease-deadline");
		thread.setDaemon(true);
		return thread;
	});

	/**
	 * Longest safety margin that {@link #trustedLease(Duration)} takes off a lease: one
	 * second.
	 */
	public static final Duration MAX_SAFETY_MARGIN = Duration.ofSeconds(1);

	private final long leaseNanos;

	private final LongSupplier clock;

	private final LongFunction<String> overdueReason;

	private long confirmedAt;

	private Lost lost;

	private Runnable onPassed;

	private ScheduledFuture<?> timer;

	/**
	 * Create a deadline at a backend's lease less the {@link #trustedLease(Duration)
	 * safety margin}, whose loss reads "no renewal succeeded for ... ms, too close to the
	 * end of the lease of ...".
	 * @param lease how long the backend keeps the lease after it received a confirmation
	 * @param confirmedAt monotonic time, from {@code clock}, just before the request that
	 * acquired the lease was sent
	 * @param clock monotonic clock in nanoseconds, such as {@code System::nanoTime}
	 * @return the deadline
	 */
	public static LeaseDeadline withSafetyMargin(Duration lease, long confirmedAt, LongSupplier clock) {
		Duration trusted = trustedLease(lease);
		return new LeaseDeadline(trusted, confirmedAt, clock,
				(silentMillis) -> "no renewal succeeded for " + silentMillis
						+ " ms, too close to the end of the lease of " + lease
						+ "; another instance may hold the lock now");
	}

	/**
	 * Create a deadline at a backend's lease less the {@link #trustedLease(Duration)
	 * safety margin}.
	 * @param lease how long the backend keeps the lease after it received a confirmation
	 * @param confirmedAt monotonic time, from {@code clock}, just before the request that
	 * acquired the lease was sent
	 * @param clock monotonic clock in nanoseconds, such as {@code System::nanoTime}
	 * @param overdueReason why the lease is lost once the deadline has passed, from the
	 * milliseconds since the last confirmation was sent
	 * @return the deadline
	 */
	public static LeaseDeadline withSafetyMargin(Duration lease, long confirmedAt, LongSupplier clock,
			LongFunction<String> overdueReason) {
		return new LeaseDeadline(trustedLease(lease), confirmedAt, clock, overdueReason);
	}

	/**
	 * How long a holder trusts a lease that its backend keeps for {@code lease} after the
	 * last confirmation: the lease less a fifth of it, and less
	 * {@link #MAX_SAFETY_MARGIN} at most (a 2 s lease is trusted for 1.6 s, a 60 s lease
	 * for 59 s). The backend lets a contender in at the very end of the lease, and by
	 * then the holder must have stopped its guarded work and reported the loss. Three
	 * things eat into that time: the holder's deadline timer can fire late on a loaded
	 * host (a process test measured 300 ms late on two busy cores); the holder's
	 * monotonic clock may run a little slower than the backend's (a database, an API
	 * server, a ZooKeeper ensemble); and the reaction to the loss, from the timer to the
	 * stopped work, takes time of its own. A fifth keeps short leases, as in tests, safe;
	 * one second is ample for long ones and gives little away.
	 * @param lease the lease as the backend keeps it
	 * @return how long the holder trusts it after a confirmation was sent: positive, and
	 * never more than {@code lease}
	 * @throws IllegalArgumentException when {@code lease} is not positive
	 */
	public static Duration trustedLease(Duration lease) {
		Objects.requireNonNull(lease, "'lease' must not be null");
		if (lease.isNegative() || lease.isZero()) {
			throw new IllegalArgumentException("'lease' must be positive, but was " + lease);
		}
		long nanos = lease.toNanos();
		return Duration.ofNanos(nanos - Math.min(nanos / 5, MAX_SAFETY_MARGIN.toNanos()));
	}

	/**
	 * Create a deadline whose loss reads "no renewal succeeded for ... ms". Backends
	 * whose lease ends at a moment that a contender can count on use
	 * {@link #withSafetyMargin} instead.
	 * @param lease how long the lease lasts after a confirmation is sent
	 * @param confirmedAt monotonic time, from {@code clock}, just before the request that
	 * acquired the lease was sent
	 * @param clock monotonic clock in nanoseconds, such as {@code System::nanoTime}
	 */
	public LeaseDeadline(Duration lease, long confirmedAt, LongSupplier clock) {
		this(lease, confirmedAt, clock, (silentMillis) -> "no renewal succeeded for " + silentMillis
				+ " ms, longer than the lease of " + lease + "; another instance may hold the lock now");
	}

	/**
	 * Create a deadline that trusts the whole of {@code lease} (see
	 * {@link #withSafetyMargin} for a backend's lease).
	 * @param lease how long the lease lasts after a confirmation is sent
	 * @param confirmedAt monotonic time, from {@code clock}, just before the request that
	 * acquired the lease was sent
	 * @param clock monotonic clock in nanoseconds, such as {@code System::nanoTime}
	 * @param overdueReason why the lease is lost once the deadline has passed, from the
	 * milliseconds since the last confirmation was sent
	 */
	public LeaseDeadline(Duration lease, long confirmedAt, LongSupplier clock, LongFunction<String> overdueReason) {
		Objects.requireNonNull(lease, "'lease' must not be null");
		if (lease.isNegative() || lease.isZero()) {
			throw new IllegalArgumentException("'lease' must be positive, but was " + lease);
		}
		this.leaseNanos = lease.toNanos();
		this.clock = Objects.requireNonNull(clock, "'clock' must not be null");
		this.overdueReason = Objects.requireNonNull(overdueReason, "'overdueReason' must not be null");
		this.confirmedAt = confirmedAt;
	}

	/**
	 * Current time on this deadline's monotonic clock: take it just before sending a
	 * request whose answer will {@link #confirm(long) confirm} the lease.
	 * @return the time in nanoseconds
	 */
	public long now() {
		return this.clock.getAsLong();
	}

	/**
	 * Move the deadline to a lease duration after {@code sentAt}, the time a request was
	 * sent that the backend has just answered with the lease still this holder's. Never
	 * moves it back, and never revives a lost lease: an answer that arrives after the
	 * deadline passed proves nothing about the time in between.
	 * @param sentAt {@link #now()} taken just before that request was sent
	 * @return whether the lease is still held
	 */
	public synchronized boolean confirm(long sentAt) {
		if (hasPassed()) {
			return false;
		}
		if (sentAt - this.confirmedAt > 0) {
			this.confirmedAt = sentAt;
		}
		return true;
	}

	/**
	 * Whether the lease is lost: marked lost, or its deadline has passed (which marks it
	 * lost with the overdue reason).
	 * @return whether lost
	 */
	public synchronized boolean hasPassed() {
		if (this.lost != null) {
			return true;
		}
		long silent = this.clock.getAsLong() - this.confirmedAt;
		if (silent >= this.leaseNanos) {
			this.lost = new Lost(this.overdueReason.apply(silent / 1_000_000), null);
			cancelTimer();
			Runnable listener = this.onPassed;
			this.onPassed = null;
			if (listener != null) {
				// on the timer thread, whoever noticed: never under this monitor
				TIMERS.execute(listener);
			}
			return true;
		}
		return false;
	}

	/**
	 * Mark the lease lost, unless it already is; the first reason is kept.
	 * @param reason why, as shown to operators
	 * @param newHolder the holder that took over, if known
	 * @return whether this call marked it lost
	 */
	public synchronized boolean markLost(String reason, HolderRecord newHolder) {
		if (this.lost != null) {
			return false;
		}
		this.lost = new Lost(Objects.requireNonNull(reason, "'reason' must not be null"), newHolder);
		cancelTimer();
		this.onPassed = null;
		return true;
	}

	/**
	 * Whether the lease was marked lost, without looking at the clock.
	 * @return whether marked lost
	 */
	public synchronized boolean isMarkedLost() {
		return this.lost != null;
	}

	/**
	 * Verification that reports the loss; only once the lease is lost (see
	 * {@link #hasPassed()}).
	 * @return the {@code LOST} verification
	 * @throws IllegalStateException when the lease is not lost
	 */
	public synchronized Verification lostVerification() {
		return lost().verification();
	}

	/**
	 * Exception that reports the loss; only once the lease is lost (see
	 * {@link #hasPassed()}).
	 * @param location the lock location
	 * @return the {@link LockErrorType#LOCK_LOST} exception
	 * @throws IllegalStateException when the lease is not lost
	 */
	public synchronized LockException lostException(String location) {
		Lost cause = lost();
		return LockErrors.lockLost(location, cause.reason(), cause.newHolder());
	}

	/**
	 * Fail once the lease is lost or its deadline has passed, with no remote call.
	 * @param location the lock location, for the exception
	 * @throws LockException with {@link LockErrorType#LOCK_LOST} when lost
	 */
	public void ensureHeld(String location) {
		if (hasPassed()) {
			throw lostException(location);
		}
	}

	/**
	 * Time until the deadline, on the monotonic clock.
	 * @return the time left, zero once the lease is lost
	 */
	public Optional<Duration> timeLeft() {
		return Optional.of(Duration.ofNanos(Math.max(0, nanosLeft())));
	}

	/**
	 * Nanoseconds until the deadline: zero or less once passed or lost.
	 * @return the nanoseconds left
	 */
	public synchronized long nanosLeft() {
		if (this.lost != null) {
			return 0;
		}
		return this.leaseNanos - (this.clock.getAsLong() - this.confirmedAt);
	}

	/**
	 * Wait for a backend's answer no longer than the lease has left. An answer that
	 * outlives the wait is left to finish in the background (the client's own timeout
	 * ends it); the caller then finds the deadline passed.
	 * @param <T> type of the answer
	 * @param <E> type of the caller's failures
	 * @param answer the pending answer
	 * @param failureType failures of the call that are thrown as they are
	 * @param silence message for an answer that did not come in time, such as "The
	 * database did not answer before the lease ran out"
	 * @param failure makes a failure from a message and a cause (which may be
	 * {@code null})
	 * @return the answer
	 * @throws E when the call failed, did not answer in time, or the wait was interrupted
	 * (the thread's interrupt flag is then set again)
	 */
	public <T, E extends Exception> T await(Future<T> answer, Class<E> failureType, String silence,
			BiFunction<String, Throwable, E> failure) throws E {
		try {
			return answer.get(Math.max(0, nanosLeft()), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			throw failure.apply(silence, null);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			answer.cancel(true);
			throw failure.apply("Interrupted while waiting for an answer", ex);
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			if (failureType.isInstance(cause)) {
				throw failureType.cast(cause);
			}
			if (cause instanceof RuntimeException runtimeException) {
				throw runtimeException;
			}
			throw failure.apply("The call failed", cause);
		}
	}

	/**
	 * Call a listener once, on a timer thread, when the deadline passes without a new
	 * confirmation (a timer checks at the deadline as it stands then, and again at every
	 * later deadline; a caller that notices first triggers it as well), so that a loss is
	 * reported even while a backend call hangs. Not called for a loss marked by
	 * {@link #markLost}: whoever marked it reports it.
	 * @param listener the listener, replacing an earlier one; {@code null} to cancel
	 */
	public synchronized void onPassed(Runnable listener) {
		cancelTimer();
		this.onPassed = listener;
		if (listener != null && this.lost == null) {
			scheduleTimer();
		}
	}

	private void scheduleTimer() {
		this.timer = TIMERS.schedule(this::timerFired, Math.max(0, nanosLeft()), TimeUnit.NANOSECONDS);
	}

	private synchronized void timerFired() {
		if (this.onPassed != null && !hasPassed()) {
			// confirmed since the timer was set
			scheduleTimer();
		}
	}

	private void cancelTimer() {
		if (this.timer != null) {
			this.timer.cancel(false);
			this.timer = null;
		}
	}

	private Lost lost() {
		if (!hasPassed()) {
			throw new IllegalStateException("The lease is not lost");
		}
		return this.lost;
	}

	/**
	 * Why the lease was lost, fixed by whoever noticed first.
	 */
	private record Lost(String reason, HolderRecord newHolder) {

		Verification verification() {
			return Verification.lost(this.reason, this.newHolder);
		}

	}

}
