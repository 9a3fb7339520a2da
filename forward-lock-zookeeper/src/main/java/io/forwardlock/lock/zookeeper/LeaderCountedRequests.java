package io.forwardlock.lock.zookeeper;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.OptionalLong;

import io.forwardlock.lock.LeaseDeadline;

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
 * One record serves a session: every lease of the session and a standby's probes feed it,
 * and each of them may date a deadline from what any of them proved, since the leader
 * times the session, not a node. Besides the proved requests, it may start from a moment
 * before the session was created (the leader starts timing a session when it creates it).
 * <p>
 * Answers may come in any order (a probe and a verification can overlap). Thread-safe.
 */
final class LeaderCountedRequests {

	/**
	 * Requests kept while they wait for their proof. A request answered within a
	 * sixty-fourth of the session timeout after the latest one kept is not kept (that one
	 * proves as much, a little staler, and sooner), so a burst of requests (acquisitions
	 * in a loop) does not crowd out the older ones that the next proof needs; more than
	 * this only happens when answers come out of order, and then the oldest is forgotten.
	 */
	private static final int MAX_WAITING = 64;

	private final long proofGapNanos;

	private final long trustedNanos;

	private final long spareNanos;

	private final long spacingNanos;

	private final ArrayDeque<Confirmed> waiting = new ArrayDeque<>();

	private boolean counted;

	private long countedSince;

	/**
	 * Create the record of a session's confirmed requests, knowing nothing yet.
	 * @param sessionTimeout the session timeout the ensemble granted
	 */
	LeaderCountedRequests(Duration sessionTimeout) {
		this(sessionTimeout, OptionalLong.empty());
	}

	/**
	 * Create the record of a session's confirmed requests.
	 * @param sessionTimeout the session timeout the ensemble granted
	 * @param createdAfter a monotonic time known to come before the session was created,
	 * if one is known
	 */
	LeaderCountedRequests(Duration sessionTimeout, OptionalLong createdAfter) {
		this.proofGapNanos = proofGap(sessionTimeout).toNanos();
		this.trustedNanos = LeaseDeadline.trustedLease(sessionTimeout).toNanos();
		this.spareNanos = sessionTimeout.toNanos() / 8;
		this.spacingNanos = sessionTimeout.toNanos() / 64;
		this.counted = createdAfter.isPresent();
		this.countedSince = createdAfter.orElse(0);
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
		Confirmed latest = this.waiting.peekLast();
		long sinceLatest = (latest != null) ? answeredAt - latest.answeredAt() : Long.MAX_VALUE;
		if (sinceLatest < 0 || sinceLatest >= this.spacingNanos) {
			this.waiting.addLast(new Confirmed(sentAt, answeredAt));
			if (this.waiting.size() > MAX_WAITING) {
				this.waiting.removeFirst();
			}
		}
		if (proved && (!this.counted || counted - this.countedSince > 0)) {
			this.counted = true;
			this.countedSince = counted;
		}
		return proved ? OptionalLong.of(counted) : OptionalLong.empty();
	}

	/**
	 * The latest moment from which the leader surely counts the session: just before the
	 * latest proved request was sent, or before the session was created.
	 * @return the monotonic time, if anything is known
	 */
	synchronized OptionalLong countedSince() {
		return this.counted ? OptionalLong.of(this.countedSince) : OptionalLong.empty();
	}

	/**
	 * Whether a deadline dated from {@link #countedSince()} can be trusted to be moved on
	 * by a proof before it passes: it must reach an eighth of the session timeout past
	 * the first probe that can prove one of the requests waiting now. A new lease whose
	 * deadline passes that test is handed out at once; otherwise it waits until a proof
	 * has dated its deadline from its own create.
	 * @param now the monotonic time now
	 * @param probePeriodNanos how often the lease's probes ask
	 * @return whether a proof is due in time
	 */
	synchronized boolean provesInTime(long now, long probePeriodNanos) {
		if (!this.counted) {
			return false;
		}
		// the earliest answer of a request whose proof would move the deadline on
		boolean waitingForProof = false;
		long earliest = 0;
		for (Confirmed request : this.waiting) {
			if (request.sentAt() - this.countedSince > 0 && (!waitingForProof || request.answeredAt() - earliest < 0)) {
				earliest = request.answeredAt();
				waitingForProof = true;
			}
		}
		if (!waitingForProof) {
			return false;
		}
		long due = earliest + this.proofGapNanos;
		long probe = ((due - now > 0) ? due : now) + probePeriodNanos;
		return this.countedSince + this.trustedNanos - probe >= this.spareNanos;
	}

	private record Confirmed(long sentAt, long answeredAt) {

	}

}
