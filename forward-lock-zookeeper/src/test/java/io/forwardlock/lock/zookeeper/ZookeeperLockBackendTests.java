package io.forwardlock.lock.zookeeper;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LeaseDeadline;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Regressions of the ZooKeeper backend beyond the contract, against a real server in this
 * JVM.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ZookeeperLockBackendTests {

	private static ZookeeperTestServer zookeeper;

	@BeforeAll
	static void startServer() throws Exception {
		zookeeper = ZookeeperTestServer.start();
	}

	@AfterAll
	static void stopServer() throws Exception {
		if (zookeeper != null) {
			zookeeper.close();
		}
	}

	private static LockRequest request(String name) {
		return LockRequest.named(name).applicationName("backend-test").build();
	}

	@Test
	void lockNodeIsAnEphemeralNodeUnderTheBasePathThatNamesTheHolder() throws Exception {
		CuratorFramework client = zookeeper.newClient();
		ZookeeperLockBackend backend = new ZookeeperLockBackend(client, "/apps/locks");
		LockLease lease = backend.tryAcquire(request("ephemeral")).orElseThrow();
		var stat = client.checkExists().forPath("/apps/locks/ephemeral");
		assertThat(stat.getEphemeralOwner()).isEqualTo(client.getZookeeperClient().getZooKeeper().getSessionId());
		assertThat(lease.fencingToken()).hasValue(stat.getCzxid());
		String data = new String(client.getData().forPath("/apps/locks/ephemeral"), StandardCharsets.UTF_8);
		assertThat(data).contains("pid=" + ProcessHandle.current().pid(), "application=backend-test");
		assertThat(lease.location())
			.isEqualTo("ZooKeeper " + zookeeper.connectString() + ", node /apps/locks/ephemeral");
		lease.release();
		assertThat(client.checkExists().forPath("/apps/locks/ephemeral")).isNull();
	}

	@Test
	void unreachableEnsembleAtStartIsReportedWithTheConnectString() throws Exception {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		String connectString = "127.0.0.1:" + port;
		try (ZookeeperLockBackend backend = ZookeeperLockBackend.connect(connectString, "/forward-lock",
				Duration.ofSeconds(2), Duration.ofMillis(500))) {
			assertThatExceptionOfType(LockException.class).isThrownBy(() -> backend.tryAcquire(request("unreachable")))
				.satisfies((ex) -> {
					assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE);
					assertThat(ex.getSummary()).contains(connectString, "PT0.5S");
					assertThat(ex.getLocation()).contains(connectString, "/forward-lock/unreachable");
					assertThat(ex.getHelp()).anySatisfy((line) -> assertThat(line).contains("nc -vz"));
				});
		}
	}

	@Test
	void invalidBasePathIsRejectedWithAnExample() {
		CuratorFramework client = zookeeper.newClient();
		for (String path : new String[] { "locks", "/locks/", "/", "", "/a//b" }) {
			assertThatIllegalArgumentException().isThrownBy(() -> new ZookeeperLockBackend(client, path))
				.withMessageContaining("'" + path + "'")
				.withMessageContaining("such as /forward-lock");
		}
	}

	@Test
	void emptyConnectStringIsRejectedWithAnExample() {
		assertThatIllegalArgumentException().isThrownBy(
				() -> ZookeeperLockBackend.connect(" ", "/forward-lock", Duration.ofSeconds(5), Duration.ofSeconds(5)))
			.withMessageContaining("zk1:2181");
	}

	@Test
	void nodeReCreatedByAnotherHolderIsALossThatNamesTheNewHolderWhenTheHolderReadsItFirst() throws Exception {
		CuratorFramework client = zookeeper.newClient();
		ZookeeperLockBackend backend = new ZookeeperLockBackend(client);
		LockRequest request = request("recreated");
		LockLease lease = backend.tryAcquire(request).orElseThrow();
		CuratorFramework other = zookeeper.newClient();
		other.delete().forPath(backend.nodePath(request));
		LockLease taken = new ZookeeperLockBackend(other).tryAcquire(request).orElseThrow();
		Verification verification = lease.verify();
		assertThat(verification.status()).isEqualTo(Verification.Status.LOST);
		// The watch on the node usually tells the holder of the deletion before it reads
		// the new holder's node: the loss then names no holder, only the deletion
		if (verification.currentHolder() != null) {
			assertThat(verification.currentHolder().instanceId()).isEqualTo(taken.holder().instanceId());
		}
		else {
			assertThat(verification.detail()).contains("was deleted while this lease held it");
		}
		// Releasing the lost lease must not delete the new holder's node.
		lease.release();
		assertThat(taken.verify().status()).isEqualTo(Verification.Status.HELD);
	}

	@Test
	void lostLeaseStaysLostAndHeartbeatSaysSo() throws Exception {
		CuratorFramework client = zookeeper.newClient();
		ZookeeperLockBackend backend = new ZookeeperLockBackend(client);
		LockRequest request = request("sticky");
		LockLease lease = backend.tryAcquire(request).orElseThrow();
		zookeeper.newClient().delete().forPath(backend.nodePath(request));
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.LOST);
		assertThatExceptionOfType(LockException.class).isThrownBy(lease::heartbeat)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
		// the node is free again; a new lease does not revive the old one
		LockLease again = backend.tryAcquire(request).orElseThrow();
		assertThat(again.fencingToken().getAsLong()).isGreaterThan(lease.fencingToken().getAsLong());
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.LOST);
	}

	@Test
	void ensureHeldAndTimeLeftAnswerLocallyAndFailOnceAProbeFoundTheNodeGone() throws Exception {
		CuratorFramework client = zookeeper.newClient();
		ZookeeperLockBackend backend = new ZookeeperLockBackend(client);
		LockRequest request = request("guarded");
		LockLease lease = backend.tryAcquire(request).orElseThrow();
		Duration session = ((ZookeeperLockLease) lease).sessionTimeout();
		lease.ensureHeld();
		assertThat(lease.timeLeft())
			.hasValueSatisfying((left) -> assertThat(left).isPositive().isLessThanOrEqualTo(session));
		zookeeper.newClient().delete().forPath(backend.nodePath(request));
		// no call of its own: the probe that runs every quarter of the session timeout
		// tells the lease
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThatExceptionOfType(LockException.class).isThrownBy(lease::ensureHeld)
				.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST)));
		assertThat(lease.timeLeft()).contains(Duration.ZERO);
		lease.release();
	}

	@Test
	void expiredSessionIsReportedAsLossByTheLease() throws Exception {
		CuratorFramework client = zookeeper.newClient();
		ZookeeperLockBackend backend = new ZookeeperLockBackend(client);
		LockLease lease = backend.tryAcquire(request("expired")).orElseThrow();
		client.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
		await().atMost(Duration.ofSeconds(20)).until(() -> lease.verify().status() == Verification.Status.LOST);
		assertThat(lease.verify().detail()).containsAnyOf("session", "gone");
	}

	@Test
	void holderCountsTheLeaseLostBeforeTheSessionTimeoutWhenTheEnsembleCannotBeReached() throws Exception {
		// A server of its own, to stop, with a tick that grants a 10 s session: the
		// client itself gives the session up only after 10 s without the server, far
		// longer than the steps below take
		try (TestingServer server = new TestingServer(ZookeeperTestServer.spec(1000), true);
				CuratorFramework client = ZookeeperLockBackend.newClient(server.getConnectString(),
						Duration.ofSeconds(10), Duration.ofSeconds(10))) {
			// the backend starts the client, on its frozen clock: the ensemble cannot
			// have
			// created the session before 0
			AtomicLong ticker = new AtomicLong();
			ZookeeperLockBackend backend = new ZookeeperLockBackend(client, ZookeeperLockBackend.DEFAULT_BASE_PATH,
					null, false, ticker::get);
			LockLease lease = backend.tryAcquire(request("cut-off")).orElseThrow();
			assertThat(((ZookeeperLockLease) lease).sessionTimeout()).as("granted session timeout")
				.isEqualTo(Duration.ofSeconds(10));
			server.stop();
			// 10 s less the longest margin (1 s) on the lease's own clock: the ensemble,
			// which created the session no earlier than the backend started the client,
			// cannot expire it for another second
			ticker.set(Duration.ofSeconds(9).toNanos() - 1);
			lease.ensureHeld();
			ticker.set(Duration.ofSeconds(9).toNanos());
			assertThatExceptionOfType(LockException.class).isThrownBy(lease::ensureHeld)
				.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
			Verification verification = lease.verify();
			assertThat(verification.status()).isEqualTo(Verification.Status.LOST);
			assertThat(verification.detail()).contains("last 9000 ms ago", "session timeout of PT10S");
			assertThat(lease.timeLeft()).contains(Duration.ZERO);
			backend.close();
		}
	}

	@Test
	void leaseOnAClientTheBackendStartedIsDatedFromTheStartAndHandedOutAtOnce() {
		// The clock moves only when the test moves it: no probe can prove anything, so
		// only the start can date the lease, and a lease that waited for a proof would
		// run
		// out instead of being handed out
		AtomicLong now = new AtomicLong();
		Duration sinceStart = Duration.ofMillis(300);
		try (CuratorFramework client = ZookeeperLockBackend.newClient(zookeeper.connectString(),
				ZookeeperTestServer.SESSION_TIMEOUT, Duration.ofSeconds(10))) {
			ZookeeperLockBackend backend = new ZookeeperLockBackend(client, ZookeeperLockBackend.DEFAULT_BASE_PATH,
					null, false, now::get);
			LockRequest request = request("started-here");
			assertThat(backend.inspect(request)).isEmpty();
			now.addAndGet(sinceStart.toNanos());
			LockLease lease = backend.tryAcquire(request).orElseThrow();
			assertThat(lease.timeLeft())
				.contains(LeaseDeadline.trustedLease(ZookeeperTestServer.SESSION_TIMEOUT).minus(sinceStart));
			lease.release();
		}
	}

	@Test
	void acquisitionInterruptedWhileItWaitsForItsProofDeletesItsNodeAtOnce() throws Exception {
		// A frozen clock keeps the acquisition on a client started elsewhere waiting for
		// a proof; a stop during start-up interrupts it there
		try (CuratorFramework client = ZookeeperLockBackend.newClient(zookeeper.connectString(),
				ZookeeperTestServer.SESSION_TIMEOUT, Duration.ofSeconds(10))) {
			client.start();
			ZookeeperLockBackend backend = new ZookeeperLockBackend(client, ZookeeperLockBackend.DEFAULT_BASE_PATH,
					null, false, () -> 0);
			LockRequest request = request("interrupted-start");
			CompletableFuture<Throwable> failure = new CompletableFuture<>();
			Thread acquiring = new Thread(() -> {
				try {
					backend.tryAcquire(request);
					failure.complete(null);
				}
				catch (Throwable ex) {
					failure.complete(ex);
				}
			}, "interrupted-start");
			acquiring.start();
			await().atMost(Duration.ofSeconds(10))
				.until(() -> acquiring.getState() == Thread.State.TIMED_WAITING
						&& client.checkExists().forPath(backend.nodePath(request)) != null);
			acquiring.interrupt();
			assertThat(failure.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(LockException.class,
					(ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE));
			// gone before the failure was reported, not when the session ends
			assertThat(client.checkExists().forPath(backend.nodePath(request))).isNull();
		}
	}

	@Test
	void nodeOfAnInterruptedCreateIsDeletedAtOnce() throws Exception {
		// The node that a create made before its thread was interrupted, known only by
		// its attempt id: the interrupted thread cannot ask the ensemble any more
		try (CuratorFramework client = ZookeeperLockBackend.newClient(zookeeper.connectString(),
				ZookeeperTestServer.SESSION_TIMEOUT, Duration.ofSeconds(10))) {
			ZookeeperLockBackend backend = new ZookeeperLockBackend(client);
			LockRequest request = request("interrupted-create");
			assertThat(backend.inspect(request)).isEmpty();
			HolderData data = new HolderData(request.newHolderRecord(), "attempt-1");
			client.create()
				.creatingParentContainersIfNeeded()
				.withMode(CreateMode.EPHEMERAL)
				.forPath(backend.nodePath(request), data.encode());
			Thread.currentThread().interrupt();
			try {
				backend.cleaner().deleteUnanswered(backend.nodePath(request), "attempt-1");
			}
			finally {
				assertThat(Thread.interrupted()).isTrue();
			}
			await().atMost(Duration.ofSeconds(5))
				.until(() -> client.checkExists().forPath(backend.nodePath(request)) == null);
		}
	}

	@Test
	void leaseOnAClientStartedElsewhereIsHandedOutOnlyOnceTheLeaderSurelyCountedItsCreate() throws Exception {
		// The same frozen clock: the create can never be proved counted, and its node
		// goes when the lease runs out unproved
		try (CuratorFramework client = ZookeeperLockBackend.newClient(zookeeper.connectString(),
				ZookeeperTestServer.SESSION_TIMEOUT, Duration.ofSeconds(10))) {
			client.start();
			ZookeeperLockBackend backend = new ZookeeperLockBackend(client, ZookeeperLockBackend.DEFAULT_BASE_PATH,
					null, false, () -> 0);
			LockRequest request = request("started-elsewhere");
			assertThatExceptionOfType(LockException.class).isThrownBy(() -> backend.tryAcquire(request))
				.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE))
				.withMessageContaining("confirm the new lock node");
			await().atMost(Duration.ofSeconds(10))
				.until(() -> client.checkExists().forPath(backend.nodePath(request)) == null);
		}
	}

	@Test
	void standbyWaitingOnAClientStartedElsewhereProvesThatTheLeaderCountsItsSession() throws Exception {
		CuratorFramework holderClient = zookeeper.newClient();
		CuratorFramework standbyClient = zookeeper.newClient();
		ZookeeperLockBackend standby = new ZookeeperLockBackend(standbyClient);
		LockRequest request = request("proving-standby");
		LockLease held = new ZookeeperLockBackend(holderClient).tryAcquire(request).orElseThrow();
		long session = standbyClient.getZookeeperClient().getZooKeeper().getSessionId();
		CompletableFuture<LockLease> taken = CompletableFuture.supplyAsync(() -> {
			try {
				return standby.acquireBlocking(request, Duration.ofMillis(100));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		});
		await().atMost(Duration.ofSeconds(10))
			.until(() -> standby.sessions().counted(session, ZookeeperTestServer.SESSION_TIMEOUT).countedSince(),
					OptionalLong::isPresent);
		held.release();
		LockLease lease = taken.get(10, TimeUnit.SECONDS);
		assertThat(lease.verify().isHeld()).isTrue();
		lease.release();
	}

	@Test
	void nodeThatOutlivesTheLossOfItsLeaseIsDeletedWhenTheClientReconnects() throws Exception {
		// A long session, on a server of its own that grants it, so that the old session
		// is certainly still alive on the server when the node goes
		try (TestingServer server = new TestingServer();
				CuratorFramework client = ZookeeperLockBackend.newClient(server.getConnectString(),
						Duration.ofSeconds(30), Duration.ofSeconds(10))) {
			ZookeeperLockBackend backend = new ZookeeperLockBackend(client);
			LockRequest request = request("outlived");
			LockLease lease = backend.tryAcquire(request).orElseThrow();
			client.create().withMode(CreateMode.EPHEMERAL).forPath("/old-session-marker");
			// The client gives its session up on its own, as Curator does after a long
			// suspension, while the server is down: the session, and so the node, survive
			// on the server, which restarts the session timers (30 s) when it comes back
			CountDownLatch lost = new CountDownLatch(1);
			client.getConnectionStateListenable().addListener((c, state) -> {
				if (state == ConnectionState.LOST) {
					lost.countDown();
				}
			});
			server.stop();
			client.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
			assertThat(lost.await(20, TimeUnit.SECONDS)).isTrue();
			// the lease heard of it first: its listener was registered first
			assertThat(lease.verify().status()).isEqualTo(Verification.Status.LOST);
			server.restart();
			await().atMost(Duration.ofSeconds(20))
				.until(() -> client.checkExists().forPath(backend.nodePath(request)) == null);
			// The premise, not the behaviour under test: on a loaded machine the server
			// may
			// expire the old session itself, and then the node goes for the wrong reason
			assumeThat(client.checkExists().forPath("/old-session-marker")).as("old session still alive").isNotNull();
			assertThat(backend.tryAcquire(request)).isPresent();
		}
	}

	@Test
	void nodeOfASessionThatTheClientGaveUpIsNotConfirmedFromItsNewSession() throws Exception {
		// A long session, on a server of its own that grants it, so that the old session
		// and its node are certainly still alive on the server when the client has
		// moved on to a new session
		try (TestingServer server = new TestingServer();
				CuratorFramework client = ZookeeperLockBackend.newClient(server.getConnectString(),
						Duration.ofSeconds(30), Duration.ofSeconds(10))) {
			// Curator tells the connection-state listeners of every change one after the
			// other, on one thread: an application's listener that is slow to return
			// holds back the LOST that follows, for every listener
			CountDownLatch suspended = new CountDownLatch(1);
			CountDownLatch slowListenerDone = new CountDownLatch(1);
			client.getConnectionStateListenable().addListener((c, state) -> {
				if (state == ConnectionState.SUSPENDED) {
					suspended.countDown();
					awaitQuietly(slowListenerDone);
				}
			});
			// ZooKeeper's event thread is held at the fake disconnection until the
			// expiration below is injected: injectSessionExpiration() queues the
			// expiration before it marks the old handle closed, and Curator, handling the
			// expiration at once, would otherwise close a handle still alive and so end
			// the old session on the server, with its node
			CountDownLatch expirationInjected = new CountDownLatch(1);
			CountDownLatch eventThreadHeld = new CountDownLatch(1);
			client.getCuratorListenable().addListener((c, event) -> {
				if (event.getWatchedEvent() != null && event.getWatchedEvent().getState() == KeeperState.Disconnected) {
					eventThreadHeld.countDown();
					awaitQuietly(expirationInjected);
				}
			});
			ZookeeperLockBackend backend = new ZookeeperLockBackend(client);
			LockRequest request = request("replaced-session");
			LockLease lease = backend.tryAcquire(request).orElseThrow();
			long oldSession = client.getZookeeperClient().getZooKeeper().getSessionId();
			try {
				client.getZookeeperClient()
					.getZooKeeper()
					.getTestable()
					.queueEvent(new WatchedEvent(EventType.None, KeeperState.Disconnected, null));
				assertThat(suspended.await(20, TimeUnit.SECONDS)).isTrue();
				assertThat(eventThreadHeld.await(20, TimeUnit.SECONDS)).as("event thread held").isTrue();
				// The client gives its session up on its own, as Curator does after a
				// long suspension, without telling the server
				client.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
				expirationInjected.countDown();
				await().atMost(Duration.ofSeconds(20))
					.until(() -> client.getZookeeperClient().getZooKeeper().getSessionId() != oldSession
							&& client.getZookeeperClient().isConnected());
				assertThat(client.checkExists().forPath(backend.nodePath(request)).getEphemeralOwner())
					.as("the server still keeps the old session and its node")
					.isEqualTo(oldSession);
				// A confirmation sent now would let the lease outlive the server's expiry
				// of
				// the old session, which nothing renews any more
				Verification verification = lease.verify();
				assertThat(verification.status()).isEqualTo(Verification.Status.LOST);
				assertThat(verification.detail()).contains("session");
			}
			finally {
				expirationInjected.countDown();
				slowListenerDone.countDown();
			}
		}
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Test
	void hostileHolderDataIsReadSafely() throws Exception {
		CuratorFramework client = zookeeper.newClient();
		ZookeeperLockBackend backend = new ZookeeperLockBackend(client);
		LockRequest request = request("hostile");
		String hostile = "pid=-5\nhost=evil\u001b[31mhost\r\nforged line\napplication=" + "x".repeat(10_000)
				+ "\nacquired=yesterday\n";
		client.create()
			.creatingParentsIfNeeded()
			.withMode(CreateMode.EPHEMERAL)
			.forPath(backend.nodePath(request), hostile.getBytes(StandardCharsets.UTF_8));
		HolderRecord holder = backend.inspect(request).orElseThrow();
		assertThat(holder.pid()).isEqualTo(-1);
		assertThat(holder.hostname()).isEqualTo("evil?[31mhost?");
		assertThat(holder.applicationName()).hasSizeLessThanOrEqualTo(255);
		assertThat(holder.acquiredAt()).isNull();
		assertThat(holder.describe()).doesNotContain("\u001b", "\n", "\r");
		assertThat(backend.tryAcquire(request)).isEmpty();
	}

	@Test
	void holderDataRoundTrips() {
		HolderRecord record = new HolderRecord(42, "host-a", Instant.parse("2026-01-01T00:00:00Z"),
				Instant.parse("2026-01-01T00:00:05Z"), "app", "instance-1");
		HolderData decoded = HolderData.decode(new HolderData(record, "attempt-1").encode());
		assertThat(decoded.record()).isEqualTo(record);
		assertThat(decoded.attemptId()).isEqualTo("attempt-1");
		assertThat(HolderData.decode(null).record()).isEqualTo(HolderRecord.unknown());
	}

	@Test
	void clientWorksOverTheNettyTransportThatBootManages() throws Exception {
		ZKClientConfig config = new ZKClientConfig();
		config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
		try (CuratorFramework client = CuratorFrameworkFactory.builder()
			.connectString(zookeeper.connectString())
			.sessionTimeoutMs(2000)
			.connectionTimeoutMs(10_000)
			.retryPolicy(new RetryOneTime(100))
			.zkClientConfig(config)
			.build()) {
			ZookeeperLockBackend backend = new ZookeeperLockBackend(client);
			LockLease lease = backend.tryAcquire(request("netty")).orElseThrow();
			assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
			assertThat(io.netty.util.Version.identify().get("netty-transport").artifactVersion()).startsWith("4.2.");
			lease.release();
		}
	}

}
