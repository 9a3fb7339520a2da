package io.forwardlock.lock.zookeeper;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.watch.LockWatchdog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A ZooKeeper lease under the {@link LockWatchdog} that guards the work of a holder, as
 * the starter runs it, against a real server of each test's own.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ZookeeperLockWatchTests {

	/**
	 * Far longer than any step of these tests: neither the stale timeout nor a scheduled
	 * verification may be what reports a loss here.
	 */
	private static final Duration LONG = Duration.ofSeconds(60);

	private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

	private LockWatchdog watchdog;

	@AfterEach
	void stopWatching() {
		if (this.watchdog != null) {
			this.watchdog.stop();
		}
		this.scheduler.shutdownNow();
	}

	@Test
	void watchdogWithoutHeartbeatReportsTheLossAtTheSessionTimeoutNotAtTheLongerStaleTimeout() throws Exception {
		// A 2 s session against a 60 s stale timeout: the ensemble may expire the
		// session,
		// and let another instance in, 2 s after it last heard from the holder
		try (TestingServer server = new TestingServer(ZookeeperTestServer.spec(200), true);
				CuratorFramework client = client(server, Duration.ofSeconds(2))) {
			LockRequest request = request("cut-off-watched");
			LockLease lease = acquire(client, request, Duration.ofSeconds(2));
			Loss loss = watch(lease, request);
			server.stop();
			// the lease trusts the session for 1.6 s after its last confirmation; the
			// watch does not wait for its 60 s stale timeout
			assertThat(loss.reported.await(10, TimeUnit.SECONDS)).as("loss reported").isTrue();
			assertThat(loss.detail.get()).contains("session timeout of PT2S");
			assertLost(lease);
		}
	}

	@Test
	void nodeDeletedByHandIsReportedLostAtOnceNotAtTheNextProbe() throws Exception {
		// A tick that grants a 30 s session: the lease probes every 7.5 s, and the watch
		// verifies every 60 s; neither may be what tells of the deletion
		try (TestingServer server = new TestingServer(ZookeeperTestServer.spec(2000), true);
				CuratorFramework client = client(server, Duration.ofSeconds(30));
				CuratorFramework operator = client(server, Duration.ofSeconds(30));
				CuratorFramework successorClient = client(server, Duration.ofSeconds(30))) {
			LockRequest request = request("deleted-by-hand");
			LockLease lease = acquire(client, request, Duration.ofSeconds(30));
			Loss loss = watch(lease, request);
			lease.ensureHeld();
			// as "deleteall /forward-lock" in zkCli
			operator.start();
			operator.delete().deletingChildrenIfNeeded().forPath(ZookeeperLockBackend.DEFAULT_BASE_PATH);
			// the node is free: another instance can take the lock right away
			LockLease successor = new ZookeeperLockBackend(successorClient).tryAcquire(request).orElseThrow();
			await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
				assertThat(loss.reported.getCount()).as("loss reported by the watch").isZero();
				assertLost(lease);
			});
			assertThat(loss.detail.get()).contains("deleted");
			// the successor's node survives the lost lease's release
			lease.release();
			assertThat(successor.verify().isHeld()).isTrue();
			successor.release();
		}
	}

	/**
	 * A client that the backend starts: the lease is then handed out without waiting for
	 * a proof that the leader counted its create ({@link ZookeeperLeaseStart}).
	 */
	private static CuratorFramework client(TestingServer server, Duration sessionTimeout) {
		return ZookeeperLockBackend.newClient(server.getConnectString(), sessionTimeout, Duration.ofSeconds(10));
	}

	private static LockLease acquire(CuratorFramework client, LockRequest request, Duration grantedSessionTimeout) {
		LockLease lease = new ZookeeperLockBackend(client).tryAcquire(request).orElseThrow();
		assertThat(((ZookeeperLockLease) lease).sessionTimeout()).as("granted session timeout")
			.isEqualTo(grantedSessionTimeout);
		return lease;
	}

	private Loss watch(LockLease lease, LockRequest request) {
		Loss loss = new Loss();
		this.watchdog = new LockWatchdog(lease, request, LONG, false, System.nanoTime(), this.scheduler, loss);
		this.watchdog.start();
		return loss;
	}

	private void assertLost(LockLease lease) {
		assertThatExceptionOfType(LockException.class).isThrownBy(this.watchdog::ensureHeld)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
		assertThatExceptionOfType(LockException.class).isThrownBy(lease::ensureHeld)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
	}

	private static LockRequest request(String name) {
		return LockRequest.named(name).applicationName("watch-test").staleTimeout(LONG).build();
	}

	/**
	 * What the watch reported as lost.
	 */
	private static final class Loss implements LockWatchdog.Listener {

		private final CountDownLatch reported = new CountDownLatch(1);

		private final AtomicReference<String> detail = new AtomicReference<>();

		@Override
		public void lost(String detail, HolderRecord newHolder) {
			this.detail.set(detail);
			this.reported.countDown();
		}

	}

}
