package io.forwardlock.lock.zookeeper;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;

/**
 * Ephemeral lock node held by this process, granted by {@link ZookeeperLockBackend}.
 * <p>
 * The lease counts as held while the ensemble confirms that the node with this lease's
 * {@code czxid} exists, and for at most the session timeout after the last such
 * confirmation was asked for, measured on the monotonic clock. A probe asks every quarter
 * of the session timeout, so a healthy lease never comes near its deadline; a process
 * that was paused, or cut off from the ensemble, finds its deadline passed and reports
 * the loss before it does anything else. Once lost, a lease stays lost.
 */
final class ZookeeperLockLease implements LockLease {

	private final ZookeeperLockBackend backend;

	private final LockRequest request;

	private final String path;

	private final long czxid;

	private final long sessionId;

	private final HolderRecord holder;

	private final Duration sessionTimeout;

	private final long sessionTimeoutNanos;

	private final AtomicBoolean released = new AtomicBoolean();

	private final AtomicReference<Lost> lost = new AtomicReference<>();

	private final ConnectionStateListener connectionListener = this::connectionStateChanged;

	/**
	 * Monotonic time just before the last request that the ensemble answered with this
	 * lease's node was sent.
	 */
	private volatile long confirmedAt;

	private volatile ScheduledFuture<?> probes;

	ZookeeperLockLease(ZookeeperLockBackend backend, LockRequest request, String path, long czxid, long sessionId,
			HolderRecord holder, Duration sessionTimeout, long confirmedAt) {
		this.backend = backend;
		this.request = request;
		this.path = path;
		this.czxid = czxid;
		this.sessionId = sessionId;
		this.holder = holder;
		this.sessionTimeout = sessionTimeout;
		this.sessionTimeoutNanos = sessionTimeout.toNanos();
		this.confirmedAt = confirmedAt;
	}

	void start() {
		this.backend.getClient().getConnectionStateListenable().addListener(this.connectionListener);
		long period = Math.max(20, this.sessionTimeout.toMillis() / 4);
		this.probes = ZookeeperLockBackend.PROBES.scheduleWithFixedDelay(this::probe, period, period,
				TimeUnit.MILLISECONDS);
	}

	@Override
	public String lockName() {
		return this.request.name();
	}

	@Override
	public String backendId() {
		return ZookeeperLockBackend.ID;
	}

	@Override
	public String location() {
		return this.backend.describeLocation(this.request);
	}

	@Override
	public HolderRecord holder() {
		return this.holder;
	}

	/**
	 * The {@code czxid} of the lock node.
	 * @return the token
	 */
	@Override
	public OptionalLong fencingToken() {
		return OptionalLong.of(this.czxid);
	}

	/**
	 * Session timeout the ensemble granted, which bounds how long this lease can be
	 * unconfirmed.
	 * @return the session timeout
	 */
	Duration sessionTimeout() {
		return this.sessionTimeout;
	}

	/**
	 * Ask the ensemble whether the node is still this lease's, waiting no longer than the
	 * local deadline.
	 * @return {@link Verification.Status#HELD} or {@link Verification.Status#LOST}
	 * @throws LockException with {@link LockErrorType#BACKEND_UNAVAILABLE} when the
	 * ensemble does not answer and the deadline has not passed yet
	 */
	@Override
	public Verification verify() {
		if (this.released.get()) {
			return Verification.lost("the lease was released", null);
		}
		if (checkDeadline()) {
			return this.lost.get().verification();
		}
		long sentAt = System.nanoTime();
		CuratorEvent answer;
		try {
			answer = beforeDeadline(sentAt);
		}
		catch (Exception ex) {
			if (checkDeadline()) {
				return this.lost.get().verification();
			}
			throw this.backend.unavailable(this.request, "verify the lock node", ex);
		}
		if (!judge(answer, sentAt) && this.lost.get() == null) {
			if (checkDeadline()) {
				return this.lost.get().verification();
			}
			throw this.backend.unavailable(this.request, "verify the lock node",
					KeeperException.create(KeeperException.Code.get(answer.getResultCode()), this.path));
		}
		Lost cause = this.lost.get();
		return (cause != null) ? cause.verification() : Verification.held();
	}

	/**
	 * Same as {@link #verify()}, throwing when the lock is lost: the ZooKeeper session
	 * keeps the node alive by itself, so there is nothing to renew.
	 * @throws LockException with {@link LockErrorType#LOCK_LOST} or
	 * {@link LockErrorType#BACKEND_UNAVAILABLE}
	 */
	@Override
	public void heartbeat() {
		if (this.released.get()) {
			return;
		}
		Verification verification = verify();
		if (!verification.isHeld()) {
			throw LockErrors.lockLost(location(), verification.detail(), verification.currentHolder());
		}
	}

	@Override
	public boolean isReleased() {
		return this.released.get();
	}

	/**
	 * Delete the node if it is still this lease's. Idempotent, from any thread.
	 * @throws LockException with {@link LockErrorType#RELEASE_FAILED} when the ensemble
	 * could not be reached; the node is deleted once it can be, or when the session ends
	 */
	@Override
	public void release() {
		if (!this.released.compareAndSet(false, true)) {
			return;
		}
		stop();
		// Also after a loss: a loss declared by the local deadline may have been a long
		// outage that the session survived, and then the node still blocks everyone.
		if (!this.backend.deleteIfOwn(this.path, this.czxid, this.sessionId)) {
			throw new LockException(LockErrorType.RELEASE_FAILED,
					"Failed to delete the lock node in ZooKeeper; it goes away by itself", this.holder, location(),
					List.of("Nothing to do: the node is deleted when the ensemble can be reached again, or when "
							+ "this process's session ends (at most " + this.sessionTimeout
							+ " after the process stops)",
							"Check that the ZooKeeper ensemble is reachable and healthy"),
					null);
		}
	}

	private void stop() {
		ScheduledFuture<?> scheduled = this.probes;
		if (scheduled != null) {
			scheduled.cancel(false);
		}
		this.backend.getClient().getConnectionStateListenable().removeListener(this.connectionListener);
	}

	private void connectionStateChanged(Object client, ConnectionState state) {
		if (state == ConnectionState.LOST) {
			markLost("the ZooKeeper session was lost: it expired, or could not be re-established within the "
					+ "session timeout of " + this.sessionTimeout, null);
		}
		else if (state == ConnectionState.RECONNECTED) {
			// Whether the session survived shows in the node: confirm at once rather than
			// at the next probe.
			ZookeeperLockBackend.PROBES.execute(this::probe);
		}
	}

	/**
	 * Ask the ensemble in the background and judge its answer when it comes; keeps
	 * {@link #confirmedAt} recent while all is well.
	 */
	private void probe() {
		if (this.released.get() || checkDeadline()) {
			stop();
			return;
		}
		long sentAt = System.nanoTime();
		try {
			this.backend.getClient().getData().inBackground((client, event) -> judge(event, sentAt)).forPath(this.path);
		}
		catch (Exception ex) {
			// the next probe, or the deadline, decides
		}
	}

	private CuratorEvent beforeDeadline(long sentAt) throws Exception {
		long left = this.sessionTimeoutNanos - (sentAt - this.confirmedAt);
		CompletableFuture<CuratorEvent> answer = new CompletableFuture<>();
		this.backend.getClient().getData().inBackground((client, event) -> answer.complete(event)).forPath(this.path);
		try {
			return answer.get(Math.max(0, left), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			throw new TimeoutException("ZooKeeper did not answer before the session timeout ran out");
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
	}

	/**
	 * Judge an answer to a read of the node sent at {@code sentAt}.
	 * @return whether the answer was conclusive (held or lost)
	 */
	private boolean judge(CuratorEvent event, long sentAt) {
		KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
		if (code == KeeperException.Code.NONODE) {
			markLost("the lock node " + this.path + " is gone: the session expired, or it was deleted", null);
			return true;
		}
		if (code != KeeperException.Code.OK) {
			return false;
		}
		Stat stat = event.getStat();
		if (stat.getCzxid() == this.czxid && stat.getEphemeralOwner() == this.sessionId) {
			confirm(sentAt);
			return true;
		}
		HolderRecord other = HolderData.decode(event.getData()).record();
		markLost("the lock node " + this.path + " was re-created by " + other.describe(), other);
		return true;
	}

	private void confirm(long sentAt) {
		synchronized (this) {
			// An answer that arrives after the deadline passed does not revive the lease:
			// somebody else may have held the lock in between, as far as this process can
			// tell. It only ever moves the deadline forward.
			if (this.lost.get() == null && sentAt - this.confirmedAt > 0) {
				this.confirmedAt = sentAt;
			}
		}
	}

	/**
	 * Whether the lease is lost, marking it lost if the deadline has passed.
	 */
	private boolean checkDeadline() {
		if (this.lost.get() != null) {
			return true;
		}
		synchronized (this) {
			long silent = System.nanoTime() - this.confirmedAt;
			if (silent >= this.sessionTimeoutNanos) {
				markLost(
						"ZooKeeper confirmed the lock node last " + (silent / 1_000_000)
								+ " ms ago, longer than the session timeout of " + this.sessionTimeout
								+ " (process paused or ensemble unreachable); another instance may hold the lock now",
						null);
			}
		}
		return this.lost.get() != null;
	}

	private void markLost(String reason, HolderRecord newHolder) {
		if (this.lost.compareAndSet(null, new Lost(reason, newHolder)) && !this.released.get()) {
			// The node may outlive the loss; it must not block a successor.
			this.backend.deleteWhenReachable(this.path, this.czxid, this.sessionId);
		}
	}

	@Override
	public String toString() {
		return "ZookeeperLockLease[" + location() + ", czxid=" + this.czxid + ", session=0x"
				+ Long.toHexString(this.sessionId) + "]";
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
