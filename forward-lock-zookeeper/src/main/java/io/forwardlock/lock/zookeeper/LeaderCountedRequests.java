package io.forwardlock.lock.zookeeper;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.OptionalLong;

/**
 * The confirmed requests of a {@link ZookeeperLockLease}, and which of them the leader
 * has surely counted for the lease's session: the lease's deadline may be dated from
 * those only.
 * <p>
 * A server renews a session's timer when a request of that session arrives. The leader,
 * which is the one that expires sessions, renews the timer of a session connected to a
 * follower only when the follower answers its next ping (every half tick) with the
 * sessions it heard from since the last one. A request that a follower answered may
 * therefore never reach the leader's timer: when the follower loses the leader right
 * after it, the leader counts the session from an earlier request, and may expire it
 * before a deadline dated from the last one.
 * <p>
 * What proves that the leader counted a request: a later confirmation that passed through
 * the leader (every confirmation of the lease starts with a {@code sync}, see
 * {@link ZookeeperSyncedRead}), sent long enough after the earlier request was answered
 * that a ping came in between. The follower answers pings and forwards requests to the
 * leader on one TCP connection, in order, and the leader reads them one by one; so when
 * the leader answered that later sync, it had already read the ping's answer, which
 * renewed the session's timer at a moment after the earlier request was sent. Long enough
 * is a quarter of the session timeout and a twentieth more: the leader pings every half
 * tick, ZooKeeper grants no session timeout shorter than two ticks (its default
 * {@code minSessionTimeout}), and the twentieth covers the leader's loop and the network.
 * <p>
 * Answers may come in any order (a probe and a verification can overlap). Thread-safe.
 */
final class LeaderCountedRequests {

	/**
	 * Requests kept while they wait for their proof; more only happens when answers come
	 * much faster than pings, and then the oldest is forgotten (a newer one proves as
	 * much).
	 */
	private static final int MAX_WAITING = 64;

	private final long proofGapNanos;

	private final ArrayDeque<Confirmed> waiting = new ArrayDeque<>();

	/**
	 * Create the record of a lease's confirmed requests.
	 * @param sessionTimeout the session timeout the ensemble granted
	 */
	LeaderCountedRequests(Duration sessionTimeout) {
		this.proofGapNanos = proofGap(sessionTimeout).toNanos();
	}

	/**
	 * How long after a request was answered a confirmation must have been sent to prove
	 * that the leader counted the request.
	 * @param sessionTimeout the session timeout the ensemble granted
	 * @return a quarter of the session timeout and a twentieth more
	 */
	static Duration proofGap(Duration sessionTimeout) {
		return sessionTimeout.dividedBy(4).plus(sessionTimeout.dividedBy(20));
	}

	/**
	 * A request of the lease's session, sent at {@code sentAt}, was answered at
	 * {@code answeredAt} with the node still the lease's, after it passed through the
	 * leader.
	 * @param sentAt the monotonic time just before the request was sent, in nanoseconds
	 * @param answeredAt the monotonic time when the answer was judged, in nanoseconds
	 * @return when the latest request was sent that this confirmation proves the leader
	 * counted, if it proves one
	 */
	synchronized OptionalLong confirmed(long sentAt, long answeredAt) {
		long counted = 0;
		boolean proved = false;
		for (Iterator<Confirmed> iterator = this.waiting.iterator(); iterator.hasNext();) {
			Confirmed earlier = iterator.next();
			if (sentAt - earlier.answeredAt() >= this.proofGapNanos) {
				if (!proved || earlier.sentAt() - counted > 0) {
					counted = earlier.sentAt();
					proved = true;
				}
				// the deadline never moves back, so a proved request is done with
				iterator.remove();
			}
		}
		this.waiting.addLast(new Confirmed(sentAt, answeredAt));
		if (this.waiting.size() > MAX_WAITING) {
			this.waiting.removeFirst();
		}
		return proved ? OptionalLong.of(counted) : OptionalLong.empty();
	}

	private record Confirmed(long sentAt, long answeredAt) {

	}

}
