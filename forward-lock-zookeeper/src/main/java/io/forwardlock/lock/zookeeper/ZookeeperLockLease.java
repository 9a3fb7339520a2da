package io.forwardlock.lock.zookeeper;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;

import org.jspecify.annotations.Nullable;

import io.forwardlock.lock.ExpiringLease;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LeaseDeadline;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;

/**
 * Ephemeral lock node held by this process, granted by {@link ZookeeperLockBackend}; its
 * fencing token is the node's {@code czxid}.
 * <p>
 * The lease counts as held while the ensemble confirms that the node with this lease's
 * {@code czxid} exists, owned by the session the client still runs, and for at most the
 * session timeout less a safety margin (a fifth, at most one second:
 * {@link LeaseDeadline#trustedLease}) after the latest confirmed request that the leader
 * has surely counted for the session was sent ({@link LeaderCountedRequests}: a request
 * answered by a follower reaches the leader's session timer only with the follower's next
 * answer to a ping), measured on the monotonic clock. The ensemble may expire the
 * session, and let a waiter in, at the session timeout after the leader last counted it;
 * the margin makes the holder give up before that even when its timer fires late or its
 * clock runs a little slower than the servers'. A probe asks every sixteenth of the
 * session timeout, so a healthy lease never comes near its deadline; a process that was
 * paused, or cut off from the ensemble, finds its deadline passed and reports the loss
 * before it does anything else. Once lost, a lease stays lost. The {@link LeaseDeadline}
 * keeps that deadline; {@link ZookeeperLeaseStart} chooses its first date. Every
 * confirming read follows a sync ({@link ZookeeperSyncedRead}), so that only an answer
 * that passed through the leader confirms the lease, not a follower's stale state.
 * <p>
 * The lease watches the node from the start, and every read watches it again, so that a
 * node deleted or changed by somebody else (by hand, as {@code deleteall} in
 * {@code zkCli}) is noticed as the ensemble tells of it, not at the next probe: a
 * deletion makes the lease lost at once, a change makes it read the node, and both ask
 * the {@link #onSuspectedLoss(Runnable) watch over the lease} to verify now.
 */
final class ZookeeperLockLease extends ExpiringLease {

	private final ZookeeperLockBackend backend;

	private final String path;

	private final long czxid;

	private final long sessionId;

	private final Duration sessionTimeout;

	private final LeaderCountedRequests counted;

	private final long createSentAt;

	/**
	 * Completed once the leader surely counted the create (or the lease was lost), for
	 * {@link #awaitCreateCounted()}.
	 */
	private final CompletableFuture<Void> createCounted = new CompletableFuture<>();

	/**
	 * Whether the node of the lost lease was handed over for deletion.
	 */
	private final AtomicBoolean lossHandled = new AtomicBoolean();

	private final ConnectionStateListener connectionListener = this::connectionStateChanged;

	/**
	 * One watcher for every read: the client keeps one watch per watcher and node, so the
	 * probes do not pile watches up.
	 */
	private final Watcher nodeWatcher = this::nodeChanged;

	private volatile ScheduledFuture<?> probes;

	ZookeeperLockLease(ZookeeperLockBackend backend, LockRequest request, String path, long czxid, long sessionId,
			HolderRecord holder, Duration sessionTimeout, LeaderCountedRequests counted, long deadlineFrom,
			long createSentAt) {
		super(backend, request, holder, czxid,
				LeaseDeadline.withSafetyMargin(sessionTimeout, deadlineFrom, backend::nanoTime,
						(silentMillis) -> "ZooKeeper confirmed the lock node last " + silentMillis
								+ " ms ago, too close to the session timeout of " + sessionTimeout
								+ " (process paused or ensemble unreachable); another instance may hold the lock now"));
		this.backend = backend;
		this.path = path;
		this.czxid = czxid;
		this.sessionId = sessionId;
		this.sessionTimeout = sessionTimeout;
		this.counted = counted;
		this.createSentAt = createSentAt;
	}

	void start() {
		this.backend.getClient().getConnectionStateListenable().addListener(this.connectionListener);
		this.probes = ZookeeperProbes.every(this.sessionTimeout, this::probe);
		watchNode();
	}

	/**
	 * Wait until a probe proved that the leader counted the create, so that the deadline
	 * is dated from it ({@link ZookeeperLeaseStart}).
	 * @return why the lease cannot be handed out (lost first, ran out, or the wait was
	 * interrupted), or {@code null} when it can
	 */
	@Nullable Exception awaitCreateCounted() {
		try {
			deadline().await(this.createCounted, Exception.class,
					"ZooKeeper did not confirm the new lock node before the lease ran out", Exception::new);
		}
		catch (Exception ex) {
			return ex;
		}
		return isLost() ? new Exception(deadline().lostVerification().detail()) : null;
	}

	/**
	 * Stop the lease and have its node deleted once the ensemble answers, without waiting
	 * for it.
	 */
	void abandon() {
		if (markReleased()) {
			stop();
			this.backend.cleaner().deleteWhenReachable(this.path, this.czxid, this.sessionId);
		}
	}

	/**
	 * Session timeout the ensemble granted; this lease trusts it less a safety margin.
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
		if (isReleased()) {
			return Verification.lost("the lease was released", null);
		}
		if (isLost()) {
			return deadline().lostVerification();
		}
		long sentAt = deadline().now();
		CuratorEvent answer;
		try {
			answer = beforeDeadline();
		}
		catch (Exception ex) {
			if (isLost()) {
				return deadline().lostVerification();
			}
			throw this.backend.unavailable(request(), "verify the lock node", ex);
		}
		if (!judge(answer, sentAt) && !deadline().isMarkedLost()) {
			if (isLost()) {
				return deadline().lostVerification();
			}
			KeeperException.Code code = KeeperException.Code.get(answer.getResultCode());
			throw this.backend.unavailable(request(), "verify the lock node", (code != KeeperException.Code.OK)
					? KeeperException.create(code, this.path) : new KeeperException.ConnectionLossException());
		}
		return isLost() ? deadline().lostVerification() : Verification.held();
	}

	/**
	 * Same as {@link #verify()}, throwing when the lock is lost: the ZooKeeper session
	 * keeps the node alive by itself, so there is nothing to renew.
	 * @throws LockException with {@link LockErrorType#LOCK_LOST} or
	 * {@link LockErrorType#BACKEND_UNAVAILABLE}
	 */
	@Override
	public void heartbeat() {
		if (isReleased()) {
			return;
		}
		Verification verification = verify();
		if (!verification.isHeld()) {
			throw LockErrors.lockLost(location(), verification.detail(), verification.currentHolder());
		}
	}

	/**
	 * Delete the node if it is still this lease's. Idempotent, from any thread.
	 * @throws LockException with {@link LockErrorType#RELEASE_FAILED} when the ensemble
	 * could not be reached; the node is deleted once it can be, or when the session ends
	 */
	@Override
	public void release() {
		if (!markReleased()) {
			return;
		}
		stop();
		// Also after a loss: a loss declared by the local deadline may have been a long
		// outage that the session survived, and then the node still blocks everyone.
		if (!this.backend.cleaner().deleteIfOwn(this.path, this.czxid, this.sessionId)) {
			throw new LockException(LockErrorType.RELEASE_FAILED,
					"Failed to delete the lock node in ZooKeeper; it goes away by itself", holder(), location(),
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
			ZookeeperProbes.now(this::probe);
		}
	}

	/**
	 * Ask the ensemble in the background and judge its answer when it comes; keeps the
	 * deadline far while all is well. The read follows a sync, so that a follower cut off
	 * from the leader cannot confirm the node from a stale state; the deadline counts
	 * from before the sync.
	 */
	private void probe() {
		if (isReleased() || isLost()) {
			stop();
			return;
		}
		long sentAt = deadline().now();
		try {
			ZookeeperSyncedRead.read(this.backend.getClient(), this.path, this.nodeWatcher)
				// a read that could not be sent completes exceptionally and is skipped
				.thenAccept((event) -> judge(event, sentAt));
		}
		catch (Exception ex) {
			// the next probe, or the deadline, decides
		}
	}

	/**
	 * Watch the node from the start, before the first probe. Only a watch: the answer is
	 * not judged, since Curator may send this request again on a later session, whose
	 * answer says nothing about this lease's.
	 */
	private void watchNode() {
		try {
			this.backend.getClient().checkExists().usingWatcher(this.nodeWatcher).inBackground((client, event) -> {
			}).forPath(this.path);
		}
		catch (Exception ex) {
			// the probes watch the node as well
		}
	}

	/**
	 * The watch on the node fired. It was left while the node was this lease's (a read
	 * that found another's made the lease lost), so a deletion is this lease's node gone;
	 * a node changed or created is judged by a read, which watches again. Runs on the
	 * client's event thread: nothing here waits for the ensemble.
	 */
	private void nodeChanged(WatchedEvent event) {
		Watcher.Event.EventType type = event.getType();
		if (isReleased() || (type != Watcher.Event.EventType.NodeDeleted
				&& type != Watcher.Event.EventType.NodeDataChanged && type != Watcher.Event.EventType.NodeCreated)) {
			// the connection state listener judges the states of the connection
			return;
		}
		if (type == Watcher.Event.EventType.NodeDeleted) {
			markLost("the lock node " + this.path + " was deleted while this lease held it (by hand, or by another "
					+ "client); another instance may hold the lock now", null);
		}
		else {
			ZookeeperProbes.now(this::probe);
		}
		suspectLoss();
	}

	private CuratorEvent beforeDeadline() throws Exception {
		CompletableFuture<CuratorEvent> answer = ZookeeperSyncedRead.read(this.backend.getClient(), this.path,
				this.nodeWatcher);
		return deadline().await(answer, Exception.class, "ZooKeeper did not answer before the lease ran out",
				(message, cause) -> (cause != null) ? new Exception(message, cause) : new TimeoutException(message));
	}

	/**
	 * Judge an answer to a {@link ZookeeperSyncedRead synced read} of the node whose sync
	 * was sent at {@code sentAt} (or to the sync itself, when it failed).
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
			long current = ZookeeperClients.sessionId(this.backend.getClient());
			if (current == 0) {
				return false;
			}
			if (current != this.sessionId) {
				// The client gave the node's session up (Curator does so on its own clock
				// after a long suspension) and runs another one: the ensemble keeps the
				// old session only until its own timer, which nothing renews any more, so
				// an answer on the new session proves nothing about it. Curator tells of
				// this with LOST, but on its listener thread, which can come late.
				markLost("the ZooKeeper session 0x" + Long.toHexString(this.sessionId)
						+ " that holds the lock node was given up by this client, which now runs session 0x"
						+ Long.toHexString(current), null);
				return true;
			}
			confirm(sentAt);
			return true;
		}
		HolderRecord other = HolderData.decode(event.getData()).record();
		markLost("the lock node " + this.path + " was re-created by " + other.describe(), other);
		return true;
	}

	private void confirm(long sentAt) {
		// The deadline is dated from the latest request that the leader surely counted,
		// which this confirmation may prove, not from this one. An answer that arrives
		// after the deadline passed does not revive the lease: somebody else may have
		// held the lock in between, as far as this process can tell. It only ever moves
		// the deadline forward. The record is the session's: what a probe of another
		// lease proved counts for this one too.
		this.counted.confirmed(sentAt, deadline().now());
		OptionalLong countedSince = this.counted.countedSince();
		if (countedSince.isPresent() && deadline().confirm(countedSince.getAsLong())
				&& countedSince.getAsLong() - this.createSentAt >= 0) {
			this.createCounted.complete(null);
		}
	}

	/**
	 * Whether the lease is lost, marking it lost if the deadline has passed; the first to
	 * see it lost hands its node over for deletion.
	 */
	private boolean isLost() {
		if (!deadline().hasPassed()) {
			return false;
		}
		if (this.lossHandled.compareAndSet(false, true) && !isReleased()) {
			// The node may outlive the loss; it must not block a successor.
			this.backend.cleaner().deleteWhenReachable(this.path, this.czxid, this.sessionId);
		}
		return true;
	}

	private void markLost(String reason, @Nullable HolderRecord newHolder) {
		deadline().markLost(reason, newHolder);
		isLost();
		// wakes a start that waits for the create to be counted
		this.createCounted.complete(null);
	}

	@Override
	public String toString() {
		return "ZookeeperLockLease[" + location() + ", czxid=" + this.czxid + ", session=0x"
				+ Long.toHexString(this.sessionId) + "]";
	}

}
