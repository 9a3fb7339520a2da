package io.forwardlock.lock.jdbc;

import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.util.concurrent.Callable;

import io.forwardlock.lock.ExpiringLease;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LeaseDeadline;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.LockSetting;
import io.forwardlock.lock.Verification;
import org.jspecify.annotations.Nullable;

/**
 * Lease on a row of the lock table, granted by {@link JdbcLockBackend}.
 * <p>
 * The lease keeps a local deadline: the lease duration, less a safety margin
 * ({@link LeaseDeadline#trustedLease}), after the moment just before the last successful
 * acquisition or renewal was sent, on this host's monotonic clock. The database computes
 * its expiry from a later instant and without the margin, so the local deadline always
 * comes first, by at least the margin, and {@link #verify()} reports the lease lost once
 * it passes even when the database cannot be reached; it never waits for the database
 * beyond that deadline. Once lost, a lease stays lost. The {@link LeaseDeadline} keeps
 * that deadline.
 */
final class JdbcLockLease extends ExpiringLease {

	private final JdbcLockBackend backend;

	private final String holderId;

	private final long token;

	private final Object renewMonitor = new Object();

	private final BackendFailures<SQLException> failures;

	/**
	 * Whether the database showed the row expired or another holder's, after which a
	 * release has nothing left to expire.
	 */
	private volatile boolean goneInDatabase;

	JdbcLockLease(JdbcLockBackend backend, LockRequest request, String holderId, long token, HolderRecord holder,
			long confirmedAt) {
		super(backend, request, holder, token,
				LeaseDeadline.withSafetyMargin(request.staleTimeout(), confirmedAt, System::nanoTime));
		this.backend = backend;
		this.holderId = holderId;
		this.token = token;
		this.failures = new BackendFailures<>(SQLException.class,
				(operation, ex) -> backend.unavailable(request, operation, ex));
	}

	/**
	 * Prove the lease from the database, or from the local deadline when that has passed.
	 * @return {@link Verification.Status#HELD} or {@link Verification.Status#LOST}
	 * @throws LockException with {@link LockErrorType#BACKEND_UNAVAILABLE} when the
	 * database cannot be reached and the local deadline has not passed yet
	 */
	@Override
	public Verification verify() {
		return verifyBy(this.failures, "verify the lease in the database",
				() -> beforeDeadline(() -> this.backend.readLiveHolder(request())).orElse(null),
				(live) -> live != null && live.is(this.holderId, this.token),
				(live) -> markTakenOver((live != null) ? live.record() : null));
	}

	private void markTakenOver(@Nullable HolderRecord other) {
		this.goneInDatabase = true;
		deadline().markLost((other != null) ? "the lease was taken over by " + other.describe()
				: "the lease expired in the database", other);
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
			renewBy(this.failures, "renew the lease in the database",
					() -> renewed(beforeDeadline(() -> this.backend.renew(request(), this.holderId, this.token))),
					"the lease had expired or was taken over when renewing it");
		}
	}

	private @Nullable Boolean renewed(boolean renewed) {
		if (!renewed) {
			this.goneInDatabase = true;
		}
		return renewed ? Boolean.TRUE : null;
	}

	/**
	 * Expire the row now, if it is still this lease's. Idempotent, from any thread. A
	 * lease lost because its local deadline passed still expires its row: the row
	 * outlives that deadline by the safety margin, and a renewal that the database
	 * applied late may have extended it by a whole lease, during which no standby, this
	 * instance's included, could take over.
	 * @throws LockException with {@link LockErrorType#RELEASE_FAILED} when the database
	 * could not be reached; the lease then expires by itself
	 */
	@Override
	public void release() {
		if (!markReleased()) {
			return;
		}
		if (this.goneInDatabase) {
			return;
		}
		try {
			this.backend.release(request(), this.holderId, this.token);
		}
		catch (SQLException ex) {
			throw LockException
				.builder(LockErrorType.RELEASE_FAILED,
						"Failed to release the lock in the database; it expires by itself")
				.holder(holder())
				.location(location())
				.remedy("Nothing to do: another instance can take over once the lease expires, at most "
						+ request().staleTimeout() + " from the last renewal", LockSetting.STALE_TIMEOUT, null)
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
		return deadline().await(this.backend.submit(call), SQLException.class,
				"The database did not answer before the lease ran out", (message, cause) -> (cause != null)
						? new SQLException(message, cause) : new SQLTimeoutException(message));
	}

	@Override
	public String toString() {
		return "JdbcLockLease[" + location() + ", token=" + this.token + ", holder=" + this.holderId + "]";
	}

}
