package io.forwardlock.lock.zookeeper;

import java.time.Duration;

import org.apache.zookeeper.data.Stat;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

/**
 * Starts the lease of a lock node that the backend has just created, and dates its first
 * deadline from a moment that the leader of the ensemble surely counted for the node's
 * session.
 * <p>
 * The create itself does not do: a follower passes a session's requests on to the
 * leader's session timer only with its next answer to a ping, and should it lose the
 * leader before that, the leader counts the session from an earlier request, which for an
 * idle client may be a third of the session timeout older. So the deadline is dated from
 * what the {@link ZookeeperSessions session's record} already knows (a request proved
 * counted while a standby waited, an earlier lease's, or the moment before the backend
 * started the client), when that leaves time for the next proof. Otherwise the lease is
 * handed out only once a probe proved that the leader counted the create, which takes
 * about {@link LeaderCountedRequests#proofGap(Duration) 3T/10} and a probe period; no
 * guarded work runs meanwhile.
 */
final class ZookeeperLeaseStart {

	private ZookeeperLeaseStart() {
	}

	/**
	 * Start the lease of a node this backend created.
	 * @param backend the backend
	 * @param request the lock
	 * @param path the node
	 * @param stat the node's stat, as the create or a read returned it
	 * @param self the holder record stored in the node
	 * @param sentAt the monotonic time just before the create was sent
	 * @return the lease
	 * @throws io.forwardlock.lock.LockException with
	 * {@link io.forwardlock.lock.LockErrorType#BACKEND_UNAVAILABLE} when the granted
	 * session timeout is unknown, or the leader could not be shown to count the create
	 * before the lease ran out; the node is deleted then
	 */
	static LockLease start(ZookeeperLockBackend backend, LockRequest request, String path, Stat stat, HolderRecord self,
			long sentAt) {
		int sessionTimeoutMs = backend.getClient().getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
		if (sessionTimeoutMs <= 0) {
			// Should not happen once a request succeeded; without the granted timeout the
			// lease could not know when to give up, so do not hand it out.
			backend.cleaner().deleteIfOwn(path, stat.getCzxid(), stat.getEphemeralOwner());
			throw ZookeeperErrors.sessionTimeoutUnknown(backend.describeLocation(request));
		}
		Duration sessionTimeout = Duration.ofMillis(sessionTimeoutMs);
		LeaderCountedRequests counted = backend.sessions().counted(stat.getEphemeralOwner(), sessionTimeout);
		long answeredAt = backend.nanoTime();
		// The create passed through the leader: it may prove earlier requests, and a
		// later
		// confirmation proves it
		counted.confirmed(sentAt, answeredAt);
		boolean inTime = counted.provesInTime(answeredAt, ZookeeperProbes.period(sessionTimeout).toNanos());
		long deadlineFrom = inTime ? counted.countedSince().getAsLong() : sentAt;
		ZookeeperLockLease lease = new ZookeeperLockLease(backend, request, path, stat.getCzxid(),
				stat.getEphemeralOwner(), self, sessionTimeout, counted, deadlineFrom, sentAt);
		lease.start();
		if (!inTime) {
			Exception failure = lease.awaitCreateCounted();
			if (failure != null) {
				giveUp(backend, lease);
				throw backend.unavailable(request, "confirm the new lock node", failure);
			}
		}
		return lease;
	}

	/**
	 * Delete the node of a lease that is not handed out: at once while the client is
	 * connected, even on an interrupted thread (a stop during the wait), since a node
	 * left behind would block every instance for as long as the session lives; otherwise
	 * once the ensemble answers, rather than wait through the client's retries.
	 */
	private static void giveUp(ZookeeperLockBackend backend, ZookeeperLockLease lease) {
		boolean interrupted = Thread.interrupted();
		try {
			if (backend.getClient().getZookeeperClient().isConnected()) {
				lease.release();
			}
			else {
				lease.abandon();
			}
		}
		catch (LockException ex) {
			// the cleaner deletes the node once the ensemble answers
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
