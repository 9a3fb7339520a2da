package io.forwardlock.lock.zookeeper;

import java.util.concurrent.CompletableFuture;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;

/**
 * The read of the lock node with which a {@link ZookeeperLockLease} confirms itself: a
 * {@code sync} of the node's path, then, once the sync is answered, a {@code getData}
 * that watches the node.
 * <p>
 * A plain read is answered by whichever server the client is connected to, from what that
 * server has applied so far. A follower that has silently lost the leader keeps answering
 * reads, from a state that no longer moves, until its own link times out
 * ({@code syncLimit} x {@code tickTime}); meanwhile the leader may expire the holder's
 * session and let another instance create the node, and the follower would still show the
 * holder its old node. A sync has to pass through the leader and is answered only once
 * the follower has caught up with it, so a read sent after it reflects every write the
 * leader committed before the sync: a cut-off follower never answers the sync, the read
 * is not sent, the lease gets no confirmation and its local deadline ends it. The
 * deadline is counted from when the sync was sent, the earlier of the two requests.
 * <p>
 * The read is sent from the sync's callback rather than right behind the sync: ZooKeeper
 * orders the requests of one session, but Curator may retry a background request on its
 * own, which could let the read overtake its sync.
 */
final class ZookeeperSyncedRead {

	private ZookeeperSyncedRead() {
	}

	/**
	 * Sync the path, then read it with the watcher, in the background.
	 * @param client the client of the lease's session
	 * @param path the lock node
	 * @param watcher the watcher left on the node by the read
	 * @return the read's answer, or the sync's when the sync failed (its result code is
	 * then not {@code OK}, and the read was not sent); completed on the client's event
	 * thread, exceptionally when the read could not be sent (the client closed in
	 * between), so that a caller waiting for it learns of that at once
	 * @throws Exception when Curator refuses the sync (the client is closed, say)
	 */
	static CompletableFuture<CuratorEvent> read(CuratorFramework client, String path, Watcher watcher)
			throws Exception {
		CompletableFuture<CuratorEvent> answer = new CompletableFuture<>();
		client.sync().inBackground((syncClient, synced) -> {
			if (synced.getResultCode() != KeeperException.Code.OK.intValue()) {
				answer.complete(synced);
				return;
			}
			try {
				// Sending only: this runs on the client's event thread, which must not
				// wait
				client.getData()
					.usingWatcher(watcher)
					.inBackground((readClient, read) -> answer.complete(read))
					.forPath(path);
			}
			catch (Exception ex) {
				answer.completeExceptionally(ex);
			}
		}).forPath(path);
		return answer;
	}

}
