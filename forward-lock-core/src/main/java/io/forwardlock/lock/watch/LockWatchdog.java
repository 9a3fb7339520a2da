package io.forwardlock.lock.watch;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import org.jspecify.annotations.Nullable;

/**
 * Keeps watch over one held {@link LockLease} until it is stopped or the lease is lost:
 * verifies it every verify interval, renews it every heartbeat interval when the
 * heartbeat runs, and fires a timer at the local deadline (the lease's acquisition or
 * last renewal plus the stale timeout, or the lease's own {@link LockLease#timeLeft()
 * deadline} when earlier), so that a loss is reported no later than the moment another
 * process may take the lock over, even while a renewal hangs. The watch may start well
 * after the acquisition (a lease taken early and handed over once the application has
 * started): it counts from the acquisition all the same, since a contender does.
 * <p>
 * A failing backend is tolerated until the deadline (without a heartbeat: the stale
 * timeout after the last good verification), and a failed renewal is tried again soon
 * ({@link PendingRenewal}), as is a failed verification; a backend that says the lock is
 * lost ends the watch at once. A loss is reported exactly once. The scheduler is the
 * caller's, and needs two threads for the deadline timer to fire while a renewal hangs;
 * verification and heartbeat never run at the same time (a renewal due during a
 * verification runs as soon as it ends). The watchdog cancels its own tasks but never
 * shuts the scheduler down.
 */
public final class LockWatchdog {

	private static final long LONGEST_VERIFY_RETRY_NANOS = TimeUnit.SECONDS.toNanos(2);

	private final LockLease lease;

	private final Duration verifyInterval;

	private final boolean heartbeat;

	private final Duration heartbeatInterval;

	private final Duration staleTimeout;

	private final LongSupplier clock;

	private final Listener listener;

	private final ReentrantLock work = new ReentrantLock();

	private final AtomicBoolean lost = new AtomicBoolean();

	private final AtomicInteger failuresInARow = new AtomicInteger();

	private final WatchTasks tasks;

	private final PendingRenewal pendingRenewal;

	private final AtomicBoolean verifyRetryScheduled = new AtomicBoolean();

	private volatile boolean stopped;

	private volatile long lastRenewedNanos;

	private volatile long lastVerifiedNanos;

	private volatile @Nullable String lostDetail;

	/**
	 * Create a watchdog; nothing runs before {@link #start()}.
	 * @param lease the held lease
	 * @param request the request the lease was acquired with (heartbeat interval, stale
	 * timeout)
	 * @param verifyInterval how often to verify
	 * @param heartbeat whether to renew the lease every heartbeat interval
	 * @param acquiredAt {@link System#nanoTime()} when the lease was acquired (or last
	 * renewed), taken as soon as the backend returned it: the deadline and the time
	 * without a renewal count from there, not from the start of the watch
	 * @param scheduler where the checks run
	 * @param listener what to tell about verifications, renewals, failures and the loss
	 */
	public LockWatchdog(LockLease lease, LockRequest request, Duration verifyInterval, boolean heartbeat,
			long acquiredAt, ScheduledExecutorService scheduler, Listener listener) {
		this(lease, request, verifyInterval, heartbeat, acquiredAt, System::nanoTime, scheduler, listener);
	}

	/**
	 * Create a watchdog on the given monotonic clock; nothing runs before
	 * {@link #start()}.
	 * @param lease the held lease
	 * @param request the request the lease was acquired with
	 * @param verifyInterval how often to verify
	 * @param heartbeat whether to renew the lease every heartbeat interval
	 * @param acquiredAt time on {@code clock} when the lease was acquired or last renewed
	 * @param clock monotonic clock in nanoseconds
	 * @param scheduler where the checks run
	 * @param listener what to tell about verifications, renewals, failures and the loss
	 */
	LockWatchdog(LockLease lease, LockRequest request, Duration verifyInterval, boolean heartbeat, long acquiredAt,
			LongSupplier clock, ScheduledExecutorService scheduler, Listener listener) {
		this.lease = Objects.requireNonNull(lease, "'lease' must not be null");
		this.verifyInterval = Objects.requireNonNull(verifyInterval, "'verifyInterval' must not be null");
		this.heartbeat = heartbeat;
		this.heartbeatInterval = request.heartbeatInterval();
		this.staleTimeout = request.staleTimeout();
		this.clock = Objects.requireNonNull(clock, "'clock' must not be null");
		this.tasks = new WatchTasks(Objects.requireNonNull(scheduler, "'scheduler' must not be null"));
		this.listener = Objects.requireNonNull(listener, "'listener' must not be null");
		this.pendingRenewal = new PendingRenewal(this.tasks, this.heartbeatInterval, this::heartbeatNow);
		// the backend, and a contender watching it, count the lease from its acquisition:
		// counting from the start of the watch would put the deadline late by however
		// long the lease waited to be watched
		this.lastRenewedNanos = acquiredAt;
		this.lastVerifiedNanos = clock.getAsLong();
	}

	/**
	 * Start the periodic checks and the deadline timer.
	 */
	public void start() {
		this.tasks.every(this::verifyNow, this.verifyInterval.toNanos());
		if (this.heartbeat) {
			this.tasks.every(this::heartbeatNow, this.heartbeatInterval.toNanos());
		}
		scheduleDeadline();
		// a backend that hears of a deleted or replaced lock (the file backend's
		// directory watch) gets a verification at once, not at the next tick
		this.lease.onSuspectedLoss(() -> this.tasks.runNow(this::verifyNow));
	}

	/**
	 * Stop watching: cancel every task of this watchdog. Idempotent. A check that is
	 * running finishes; it reports nothing more.
	 */
	public void stop() {
		this.stopped = true;
		this.lease.onSuspectedLoss(null);
		this.tasks.cancel();
	}

	/**
	 * Whether the lease was reported lost.
	 * @return whether lost
	 */
	public boolean isLost() {
		return this.lost.get();
	}

	/**
	 * Cheap check for guarded work, right before a side effect: fails once the lease is
	 * known lost or its local deadline has passed, then asks the lease's own
	 * {@link LockLease#ensureHeld()} (no remote call).
	 * @return the fencing token of the lease, where the backend has one
	 * @throws LockException with {@link LockErrorType#LOCK_LOST} when the lock may no
	 * longer be held
	 */
	public OptionalLong ensureHeld() {
		String detail = this.lostDetail;
		if (detail != null) {
			throw LockErrors.lockLost(this.lease.location(), detail, null);
		}
		if (nanosLeft() <= 0) {
			throw LockErrors.lockLost(this.lease.location(), "the lease ran out before it could be renewed", null);
		}
		this.lease.ensureHeld();
		return this.lease.fencingToken();
	}

	/**
	 * Verify now. Runs every verify interval; skipped while a heartbeat runs.
	 */
	public void verifyNow() {
		if (!this.work.tryLock()) {
			return;
		}
		try {
			if (this.stopped || this.lost.get()) {
				return;
			}
			long started = this.clock.getAsLong();
			Verification verification;
			try {
				verification = this.lease.verify();
			}
			catch (RuntimeException ex) {
				failed("verify", ex);
				retryVerification();
				return;
			}
			if (verification.isHeld()) {
				this.lastVerifiedNanos = started;
			}
			this.listener.verified(verification);
			if (!verification.isHeld()) {
				lose(verification.detail(), verification.currentHolder());
			}
		}
		finally {
			this.work.unlock();
			// a renewal skipped for a slow verification (a slow API server) would come a
			// whole heartbeat interval late, when the lease may have run out
			this.pendingRenewal.verificationEnded();
		}
	}

	/**
	 * Renew the lease now. Runs every heartbeat interval when the heartbeat is on; while
	 * a verification runs, it is put off until that verification ends.
	 */
	public void heartbeatNow() {
		this.pendingRenewal.due();
		if (!this.work.tryLock()) {
			return;
		}
		this.pendingRenewal.running();
		try {
			if (this.stopped || this.lost.get()) {
				return;
			}
			// Taken before the renewal is sent: the deadline can only come early
			long sentAt = this.clock.getAsLong();
			try {
				this.lease.heartbeat();
			}
			catch (RuntimeException ex) {
				this.listener.heartbeatFailed(ex, this.failuresInARow.incrementAndGet());
				failed("heartbeat", ex);
				// a retry after a stop or a loss finds nothing to do
				this.pendingRenewal.failed();
				return;
			}
			this.failuresInARow.set(0);
			this.lastRenewedNanos = sentAt;
			this.listener.renewed(Instant.now());
			scheduleDeadline();
		}
		finally {
			this.work.unlock();
		}
	}

	/**
	 * Verify again after a quarter of the verify interval, at most 2 s, as a failed
	 * renewal is renewed again: a failure may pass at once (a repair that raced with a
	 * deletion of the lock directory), and the next tick may be far.
	 */
	private void retryVerification() {
		if (this.lost.get() || !this.verifyRetryScheduled.compareAndSet(false, true)) {
			return;
		}
		long delay = Math.max(1_000_000, Math.min(this.verifyInterval.toNanos() / 4, LONGEST_VERIFY_RETRY_NANOS));
		boolean scheduled = this.tasks.runAfter(() -> {
			this.verifyRetryScheduled.set(false);
			verifyNow();
		}, delay);
		if (!scheduled) {
			this.verifyRetryScheduled.set(false);
		}
	}

	private void failed(String action, RuntimeException ex) {
		if (ex instanceof LockException lockException && lockException.getType() == LockErrorType.LOCK_LOST) {
			lose(lockException.getSummary(), lockException.getHolder());
			return;
		}
		long lastProof = this.heartbeat ? this.lastRenewedNanos : this.lastVerifiedNanos;
		Duration silent = Duration.ofNanos(this.clock.getAsLong() - lastProof);
		String reason = (ex instanceof LockException lockException) ? lockException.getSummary() : ex.toString();
		if (silent.compareTo(this.staleTimeout) >= 0 || (this.heartbeat && nanosLeft() <= 0)) {
			lose(LockWatchdogDeadlines.couldNot(action, silent.toMillis(), this.staleTimeout, reason), null);
		}
		else {
			this.listener.failing(action, reason, this.staleTimeout);
		}
	}

	private void scheduleDeadline() {
		if (!this.heartbeat && this.lease.timeLeft().isEmpty()) {
			return;
		}
		if (this.stopped || this.lost.get()) {
			return;
		}
		this.tasks.deadlineIn(this::checkDeadline, nanosLeft());
	}

	private void checkDeadline() {
		if (this.stopped || this.lost.get()) {
			return;
		}
		if (nanosLeft() > 0) {
			// Renewed since the timer was set
			scheduleDeadline();
			return;
		}
		if (!this.heartbeat) {
			// Without a heartbeat only the lease's own deadline runs out: the lease says
			// why, with no remote call once it has passed
			verifyNow();
			return;
		}
		long silentMillis = (this.clock.getAsLong() - this.lastRenewedNanos) / 1_000_000;
		lose(LockWatchdogDeadlines.noRenewal(silentMillis, this.staleTimeout), null);
	}

	private long nanosLeft() {
		long left = Long.MAX_VALUE;
		if (this.heartbeat) {
			left = this.staleTimeout.toNanos() - (this.clock.getAsLong() - this.lastRenewedNanos);
		}
		long leaseLeft = this.lease.timeLeft().map(Duration::toNanos).orElse(Long.MAX_VALUE);
		return Math.min(left, leaseLeft);
	}

	private void lose(String detail, HolderRecord newHolder) {
		if (!this.lost.compareAndSet(false, true)) {
			return;
		}
		this.lostDetail = detail;
		this.tasks.cancel();
		if (this.stopped) {
			// a check that was running when the watch stopped: the lock is being let go
			// of, so nothing reacts to the loss any more, but ensureHeld() still refuses
			return;
		}
		this.listener.lost(detail, newHolder);
	}

	/**
	 * What a watchdog reports. Called on the scheduler's threads.
	 */
	public interface Listener {

		/**
		 * A verification completed, whatever its outcome.
		 * @param verification the outcome
		 */
		default void verified(Verification verification) {
		}

		/**
		 * A renewal succeeded.
		 * @param at when it completed
		 */
		default void renewed(Instant at) {
		}

		/**
		 * A renewal failed.
		 * @param failure the failure
		 * @param inARow failures in a row, including this one
		 */
		default void heartbeatFailed(RuntimeException failure, int inARow) {
		}

		/**
		 * A check failed and will be retried; the lock is not lost yet.
		 * @param action {@code verify} or {@code heartbeat}
		 * @param reason what went wrong
		 * @param tolerance how long failures are tolerated
		 */
		default void failing(String action, String reason, Duration tolerance) {
		}

		/**
		 * The lease is lost. Called once; no other call follows.
		 * @param detail why
		 * @param newHolder the new holder, if known
		 */
		void lost(String detail, @Nullable HolderRecord newHolder);

	}

}
