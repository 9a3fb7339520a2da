package io.forwardlock.lock.zookeeper;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;

import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

/**
 * How a standby waits for a ZooKeeper lock: a watch on the lock node, and a listener on
 * the connection state, wake it up; it does not poll for the node. Outages of the
 * ensemble are ridden out until the client connects again.
 * <p>
 * While it waits, it syncs every sixteenth of the session timeout, as a held lease
 * probes, so that its session's {@link LeaderCountedRequests} stays up to date: the lease
 * it gets when the node goes away dates its first deadline from a request that the leader
 * surely counted, and is handed out at once ({@link ZookeeperLeaseStart}).
 */
final class ZookeeperStandby {

	private final ZookeeperLockBackend backend;

	private final CuratorFramework client;

	ZookeeperStandby(ZookeeperLockBackend backend) {
		this.backend = backend;
		this.client = backend.getClient();
	}

	/**
	 * See {@link ZookeeperLockBackend#acquireBlocking(LockRequest, Duration)}.
	 */
	LockLease acquire(LockRequest request, Duration pollInterval) throws InterruptedException {
		String path = this.backend.nodePath(request);
		while (true) {
			if (Thread.interrupted()) {
				throw new InterruptedException();
			}
			CountDownLatch changed = new CountDownLatch(1);
			ConnectionStateListener listener = (client, state) -> changed.countDown();
			Watcher watcher = (event) -> changed.countDown();
			this.client.getConnectionStateListenable().addListener(listener);
			try {
				Optional<LockLease> lease = this.backend.tryAcquire(request);
				if (lease.isPresent()) {
					return lease.get();
				}
				if (this.client.checkExists().usingWatcher(watcher).forPath(path) != null) {
					awaitWithProbes(changed, path);
				}
			}
			catch (LockException ex) {
				if (ex.getType() != LockErrorType.BACKEND_UNAVAILABLE) {
					throw ex;
				}
				rideOut(ex, pollInterval);
			}
			catch (InterruptedException ex) {
				throw ex;
			}
			catch (Exception ex) {
				rideOut(this.backend.unavailable(request, "watch the lock node", ex), pollInterval);
			}
			finally {
				this.client.getConnectionStateListenable().removeListener(listener);
			}
		}
	}

	private void awaitWithProbes(CountDownLatch changed, String path) throws InterruptedException {
		int sessionTimeoutMs = this.client.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
		if (sessionTimeoutMs <= 0) {
			changed.await();
			return;
		}
		Duration sessionTimeout = Duration.ofMillis(sessionTimeoutMs);
		ScheduledFuture<?> probes = ZookeeperProbes.every(sessionTimeout, () -> sync(path, sessionTimeout));
		try {
			changed.await();
		}
		finally {
			probes.cancel(false);
		}
	}

	/**
	 * Sync the lock node's path and, when the sync is answered on the session it was sent
	 * on, record it as confirmed: a sync passes through the leader.
	 */
	private void sync(String path, Duration sessionTimeout) {
		long sessionId = ZookeeperClients.sessionId(this.client);
		if (sessionId == 0) {
			return;
		}
		LeaderCountedRequests counted = this.backend.sessions().counted(sessionId, sessionTimeout);
		long sentAt = this.backend.nanoTime();
		try {
			this.client.sync().inBackground((client, event) -> {
				if (event.getResultCode() == KeeperException.Code.OK.intValue()
						&& ZookeeperClients.sessionId(this.client) == sessionId) {
					counted.confirmed(sentAt, this.backend.nanoTime());
				}
			}).forPath(path);
		}
		catch (Exception ex) {
			// the next sync, or the lease's own proof, decides
		}
	}

	private void rideOut(LockException failure, Duration pause) throws InterruptedException {
		if (Thread.currentThread().isInterrupted()) {
			throw new InterruptedException();
		}
		if (this.client.getState() == CuratorFrameworkState.STOPPED) {
			// nothing to wait for: the client will never connect again
			throw failure;
		}
		// Sleeps until the client reports a connection, not in a loop; the pause keeps a
		// failure that is not about the connection from spinning.
		this.client.blockUntilConnected();
		Thread.sleep(Math.max(1, pause.toMillis()));
	}

}
