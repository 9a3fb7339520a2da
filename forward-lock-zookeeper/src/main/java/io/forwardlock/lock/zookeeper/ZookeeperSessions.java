package io.forwardlock.lock.zookeeper;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * What the leader of the ensemble surely counted of a backend's client session: one
 * {@link LeaderCountedRequests} for the session the client runs, which the leases of that
 * session and a waiting standby's probes feed.
 * <p>
 * When the backend starts the client itself, the moment before it did counts too: no
 * session of the client can have been created earlier, and the leader times a session
 * from its creation, renewing it only later. That lets the first acquisition after
 * start-up date its deadline from a moment the leader surely counted, without waiting for
 * a proof of its create.
 */
final class ZookeeperSessions {

	private final LongSupplier nanoTime;

	private volatile boolean started;

	private volatile long startedAfter;

	private @Nullable Session current;

	ZookeeperSessions(LongSupplier nanoTime) {
		this.nanoTime = nanoTime;
	}

	/**
	 * The backend is about to start the client.
	 */
	void clientStarting() {
		this.startedAfter = this.nanoTime.getAsLong();
		this.started = true;
	}

	/**
	 * The record of a session's confirmed requests, new when the client runs another
	 * session than the last one asked for.
	 * @param sessionId the session
	 * @param sessionTimeout the session timeout the ensemble granted it
	 * @return the record
	 */
	synchronized LeaderCountedRequests counted(long sessionId, Duration sessionTimeout) {
		Session session = this.current;
		if (session == null || session.id() != sessionId) {
			OptionalLong createdAfter = this.started ? OptionalLong.of(this.startedAfter) : OptionalLong.empty();
			session = new Session(sessionId, new LeaderCountedRequests(sessionTimeout, createdAfter));
			this.current = session;
		}
		return session.counted();
	}

	private record Session(long id, LeaderCountedRequests counted) {

	}

}
