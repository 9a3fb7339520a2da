package io.forwardlock.lock.jdbc;

import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.LockSetting;
import io.forwardlock.lock.Verification;

/**
 * Lease on a row of the lock table, granted by {@link JdbcLockBackend}.
 * <p>
 * The lease keeps a local deadline: the lease duration after the moment just before the
 * last successful acquisition or renewal was sent, on this host's monotonic clock. The
 * database computes its expiry from a later instant, so the local deadline always comes
 * first, and {@link #verify()} reports the lease lost once it passes even when the
 * database cannot be reached; it never waits for the database beyond that deadline. Once
 * lost, a lease stays lost.
 */
final class JdbcLockLease implements LockLease {

	private final JdbcLockBackend backend;

	private final LockRequest request;

	private final String holderId;

	private final long token;

	private final HolderRecord holder;

	private final long leaseNanos;

	private final Object renewMonitor = new Object();

	private final AtomicBoolean released = new AtomicBoolean();

	private volatile long confirmedAt;

	private final AtomicReference<Lost> lost = new AtomicReference<>();

	JdbcLockLease(JdbcLockBackend backend, LockRequest request, String holderId, long token, HolderRecord holder,
			long confirmedAt) {
		this.backend = backend;
		this.request = request;
		this.holderId = holderId;
		this.token = token;
		this.holder = holder;
		this.leaseNanos = request.staleTimeout().toNanos();
		this.confirmedAt = confirmedAt;
	}

	@Override
	public String lockName() {
		return this.request.name();
	}

	@Override
	public String backendId() {
		return JdbcLockBackend.ID;
	}

	@Override
	public String location() {
		return this.backend.describeLocation(this.request);
	}

	@Override
	public HolderRecord holder() {
		return this.holder;
	}

	@Override
	public OptionalLong fencingToken() {
		return OptionalLong.of(this.token);
	}

	/**
	 * Prove the lease from the database, or from the local deadline when that has passed.
	 * @return {@link Verification.Status#HELD} or {@link Verification.Status#LOST}
	 * @throws LockException with {@link LockErrorType#BACKEND_UNAVAILABLE} when the
	 * database cannot be reached and the local deadline has not passed yet
	 */
	@Override
	public Verification verify() {
		if (this.released.get()) {
			return Verification.lost("the lease was released", null);
		}
		if (checkLocalDeadline()) {
			return this.lost.get().verification();
		}
		Optional<JdbcLockBackend.LiveHolder> live;
		try {
			live = beforeDeadline(() -> this.backend.readLiveHolder(this.request));
		}
		catch (SQLException ex) {
			if (checkLocalDeadline()) {
				return this.lost.get().verification();
			}
			throw this.backend.unavailable(this.request, "verify the lease in the database", ex);
		}
		if (live.isPresent() && live.get().is(this.holderId, this.token)) {
			return Verification.held();
		}
		HolderRecord other = live.map(JdbcLockBackend.LiveHolder::record).orElse(null);
		markLost((other != null) ? "the lease was taken over by " + other.describe()
				: "the lease expired in the database", other);
		return this.lost.get().verification();
	}

	/**
	 * Renew the lease in the database.
	 * @throws LockException with {@link LockErrorType#LOCK_LOST} when the lease is lost,
	 * or {@link LockErrorType#BACKEND_UNAVAILABLE} when the database cannot be reached
	 * (retry until {@link #verify()} reports the lease lost)
	 */
	@Override
	public void heartbeat() {
		synchronized (this.renewMonitor) {
			if (this.released.get()) {
				return;
			}
			if (checkLocalDeadline()) {
				throw lostException();
			}
			long sentAt = System.nanoTime();
			boolean renewed;
			try {
				renewed = beforeDeadline(() -> this.backend.renew(this.request, this.holderId, this.token));
			}
			catch (SQLException ex) {
				if (checkLocalDeadline()) {
					throw lostException();
				}
				throw this.backend.unavailable(this.request, "renew the lease in the database", ex);
			}
			if (!renewed) {
				markLost("the lease had expired or was taken over when renewing it", null);
				throw lostException();
			}
			if (this.lost.get() != null) {
				// verify() declared the lease lost while the renewal was on its way; stay
				// lost.
				throw lostException();
			}
			this.confirmedAt = sentAt;
		}
	}

	/**
	 * Fail once the lease is lost or its local deadline has passed, without a database
	 * call.
	 */
	@Override
	public void ensureHeld() {
		if (this.released.get()) {
			throw LockErrors.lockLost(location(), "the lease was released", null);
		}
		if (checkLocalDeadline()) {
			throw lostException();
		}
	}

	@Override
	public Optional<Duration> timeLeft() {
		if (this.lost.get() != null || this.released.get()) {
			return Optional.of(Duration.ZERO);
		}
		long left = this.leaseNanos - (System.nanoTime() - this.confirmedAt);
		return Optional.of(Duration.ofNanos(Math.max(0, left)));
	}

	@Override
	public boolean isReleased() {
		return this.released.get();
	}

	/**
	 * Expire the row now, if it is still this lease's. Idempotent, from any thread.
	 * @throws LockException with {@link LockErrorType#RELEASE_FAILED} when the database
	 * could not be reached; the lease then expires by itself
	 */
	@Override
	public void release() {
		if (!this.released.compareAndSet(false, true)) {
			return;
		}
		if (this.lost.get() != null) {
			return;
		}
		try {
			this.backend.release(this.request, this.holderId, this.token);
		}
		catch (SQLException ex) {
			throw LockException
				.builder(LockErrorType.RELEASE_FAILED,
						"Failed to release the lock in the database; it expires by itself")
				.holder(this.holder)
				.location(location())
				.remedy("Nothing to do: another instance can take over once the lease expires, at most "
						+ this.request.staleTimeout() + " from the last renewal", LockSetting.STALE_TIMEOUT, null)
				.help("Check that the database is reachable and healthy")
				.cause(ex)
				.build();
		}
	}

	/**
	 * Run a database call, waiting for it no longer than the lease has left, so that a
	 * pool that blocks for a connection or a hung database cannot keep this holder
	 * believing in a lease that has run out. A call that outlives the wait goes on in the
	 * background until the driver or the pool gives up.
	 * @throws SQLException when the call failed, or the lease ran out first (the lease is
	 * then lost)
	 */
	private <T> T beforeDeadline(Callable<T> call) throws SQLException {
		long left = this.leaseNanos - (System.nanoTime() - this.confirmedAt);
		Future<T> result = JdbcLockBackend.submit(call);
		try {
			return result.get(Math.max(0, left), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			throw new SQLTimeoutException("The database did not answer before the lease ran out");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			result.cancel(true);
			throw new SQLException("Interrupted while waiting for the database", ex);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof SQLException sqlException) {
				throw sqlException;
			}
			if (ex.getCause() instanceof RuntimeException runtimeException) {
				throw runtimeException;
			}
			throw new SQLException(ex.getCause());
		}
	}

	/**
	 * Whether the local deadline has passed, marking the lease lost if so.
	 */
	private boolean checkLocalDeadline() {
		if (this.lost.get() != null) {
			return true;
		}
		long elapsed = System.nanoTime() - this.confirmedAt;
		if (elapsed >= this.leaseNanos) {
			markLost("no renewal succeeded for " + (elapsed / 1_000_000) + " ms, longer than the lease of "
					+ this.request.staleTimeout() + "; another instance may hold the lock now", null);
			return true;
		}
		return false;
	}

	private void markLost(String reason, HolderRecord newHolder) {
		this.lost.compareAndSet(null, new Lost(reason, newHolder));
	}

	private LockException lostException() {
		Lost cause = this.lost.get();
		return LockErrors.lockLost(location(), cause.reason(), cause.newHolder());
	}

	@Override
	public String toString() {
		return "JdbcLockLease[" + location() + ", token=" + this.token + ", holder=" + this.holderId + "]";
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
