package io.forwardlock.lock.zookeeper;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * Deletes lock nodes of this client's session that must not outlive their lease: a node
 * whose release failed, a node of a lease lost while its session lives on, and a node
 * whose create may have happened without its answer arriving. Each would block every
 * other instance for as long as this process keeps its session. What cannot be deleted
 * now is kept and deleted once the ensemble answers again. A node is only deleted while
 * it is provably this client's: same creating transaction and session, or the attempt id
 * of the create in its data.
 */
final class ZookeeperNodeCleaner {

	/**
	 * Runs the deletions that wait for a connection. Apart from the lease probes, because
	 * a deletion waits for the ensemble and must not delay another lease's probe.
	 */
	private static final ExecutorService CLEANUPS = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "forward-lock-zookeeper-cleanup");
		thread.setDaemon(true);
		return thread;
	});

	private final CuratorFramework client;

	private final Set<Cleanup> cleanups = ConcurrentHashMap.newKeySet();

	private final ConnectionStateListener reconnected = (client, state) -> {
		if (state.isConnected() && !this.cleanups.isEmpty()) {
			CLEANUPS.execute(this::runCleanups);
		}
	};

	ZookeeperNodeCleaner(CuratorFramework client) {
		this.client = client;
		this.client.getConnectionStateListenable().addListener(this.reconnected);
	}

	/**
	 * Stop listening to the client. Idempotent.
	 */
	void close() {
		this.client.getConnectionStateListenable().removeListener(this.reconnected);
	}

	/**
	 * Delete a lock node if it is still the one a lease created: same creating
	 * transaction and same session. A node whose session is not this client's current
	 * session is left alone: the ensemble deletes it when that session expires.
	 * @return whether the node no longer needs deleting (otherwise it is deleted once the
	 * ensemble answers)
	 */
	boolean deleteIfOwn(String path, long czxid, long sessionId) {
		try {
			Stat stat = this.client.checkExists().forPath(path);
			if (stat == null || stat.getCzxid() != czxid || stat.getEphemeralOwner() != sessionId) {
				return true;
			}
			// A node deleted and re-created in between would have a new czxid but the
			// same version; the window is the round trip between the two calls, and only
			// opens when somebody else deletes this lease's node by hand.
			this.client.delete().withVersion(stat.getVersion()).forPath(path);
			return true;
		}
		catch (KeeperException.NoNodeException | KeeperException.BadVersionException ex) {
			return true;
		}
		catch (Exception ex) {
			if (isClosed()) {
				return true;
			}
			this.cleanups.add(new Cleanup(path, null, czxid, sessionId));
			return false;
		}
	}

	/**
	 * Delete a lost lease's node, if it is still there and still that lease's, as soon as
	 * the ensemble answers. A lease can count as lost while its session lives on: after a
	 * pause or an outage longer than the session timeout that the ensemble did not hold
	 * against the session (a restarted server restarts the session timers), or after
	 * Curator gave the session up on its own clock.
	 */
	void deleteWhenReachable(String path, long czxid, long sessionId) {
		if (isClosed()) {
			return;
		}
		this.cleanups.add(new Cleanup(path, null, czxid, sessionId));
		if (this.client.getZookeeperClient().isConnected()) {
			CLEANUPS.execute(this::runCleanups);
		}
	}

	/**
	 * Delete the node a create may have made without its answer arriving, known by the
	 * attempt id in its data, now or once the ensemble answers.
	 */
	void deleteUnanswered(String path, String attemptId) {
		this.cleanups.add(new Cleanup(path, attemptId, 0, 0));
		if (Thread.currentThread().isInterrupted()) {
			// an interrupted create (a stop during start-up): this thread's calls would
			// fail at once, and the node would stay until the next reconnection
			CLEANUPS.execute(this::runCleanups);
		}
		else {
			runCleanups();
		}
	}

	private boolean isClosed() {
		return this.client.getState() == CuratorFrameworkState.STOPPED;
	}

	private void runCleanups() {
		for (Cleanup cleanup : this.cleanups) {
			if (cleanup.run(this)) {
				this.cleanups.remove(cleanup);
			}
		}
	}

	/**
	 * A node to delete once the ensemble answers again: known by its creating transaction
	 * and session (a failed release, a lost lease), or by the attempt id in its data (a
	 * create whose answer was lost).
	 */
	private record Cleanup(String path, @Nullable String attemptId, long czxid, long sessionId) {

		boolean run(ZookeeperNodeCleaner cleaner) {
			if (cleaner.isClosed()) {
				return true;
			}
			if (this.attemptId == null) {
				return cleaner.deleteIfOwn(this.path, this.czxid, this.sessionId);
			}
			try {
				Stat stat = new Stat();
				byte[] data = cleaner.client.getData().storingStatIn(stat).forPath(this.path);
				long session = cleaner.client.getZookeeperClient().getZooKeeper().getSessionId();
				if (this.attemptId.equals(HolderData.decode(data).attemptId()) && stat.getEphemeralOwner() == session) {
					cleaner.client.delete().withVersion(stat.getVersion()).forPath(this.path);
				}
				return true;
			}
			catch (KeeperException.NoNodeException | KeeperException.BadVersionException ex) {
				return true;
			}
			catch (Exception ex) {
				return false;
			}
		}

	}

}
