package io.forwardlock.lock.kubernetes;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.InstanceLock;
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
 * The Lease backend's own behaviour on top of the contract: what it writes into the
 * Lease, expiry judged on the contender's monotonic clock, the holder's local deadline,
 * API server outages and the error reports.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KubernetesLeaseBackendTests {

	private static final Duration LEASE = Duration.ofSeconds(2);

	private static final long LEASE_NANOS = LEASE.toNanos();

	/**
	 * How long the holder trusts {@link #LEASE}: a fifth less, so that it gives up before
	 * any contender may take over even when its timer fires late.
	 */
	private static final long TRUSTED_NANOS = LEASE_NANOS - LEASE_NANOS / 5;

	private final ExecutorService executor = Executors.newCachedThreadPool();

	private MockApiServer server;

	private KubernetesClient client;

	@BeforeEach
	void startServer() {
		this.server = MockApiServer.start();
		this.client = this.server.newClient(LEASE);
	}

	@AfterEach
	void stopServer() throws InterruptedException {
		this.executor.shutdownNow();
		this.executor.awaitTermination(30, TimeUnit.SECONDS);
		this.client.close();
		this.server.close();
	}

	private static LockRequest request(String name) {
		return LockRequest.named(name).applicationName("orders").heartbeat(LEASE.dividedBy(4), LEASE).build();
	}

	private KubernetesLeaseBackend backend(KubernetesClient client, Clock clock, AtomicLong ticker) {
		return new KubernetesLeaseBackend(client, MockApiServer.NAMESPACE, null,
				KubernetesLeaseBackend.defaultIdentity(), clock, (ticker != null) ? ticker::get : System::nanoTime);
	}

	private Lease lease(String name) {
		return this.client.leases().inNamespace(MockApiServer.NAMESPACE).withName(name).get();
	}

	@Test
	void acquisitionWritesHolderIdentityDurationAndHolderRecordIntoTheLease() {
		LockRequest request = LockRequest.named("orders")
			.applicationName("orders")
			.heartbeat(Duration.ofMillis(400), Duration.ofMillis(1500))
			.build();
		LockLease lease = backend(this.client, Clock.systemUTC(), null).tryAcquire(request).orElseThrow();
		Lease written = lease("orders");
		assertThat(written.getSpec().getHolderIdentity()).isEqualTo(KubernetesLeaseBackend.defaultIdentity());
		assertThat(written.getSpec().getLeaseDurationSeconds()).as("stale timeout rounded up").isEqualTo(2);
		assertThat(written.getSpec().getLeaseTransitions()).isZero();
		assertThat(written.getSpec().getAcquireTime()).isNotNull();
		assertThat(written.getMetadata().getAnnotations()).containsEntry("forwardlock.io/fencing-token", "1")
			.containsEntry("forwardlock.io/pid", Long.toString(ProcessHandle.current().pid()))
			.containsEntry("forwardlock.io/pod", HolderRecord.localHostname())
			.containsEntry("forwardlock.io/application", "orders")
			.containsEntry("forwardlock.io/instance-id", request.instanceId());
		assertThat(lease.location()).isEqualTo("Kubernetes Lease test/orders");
		lease.release();
	}

	@Test
	void releaseClearsTheHolderKeepsTheTokenAndTheNextHolderBumpsTransitions() {
		KubernetesLeaseBackend backend = backend(this.client, Clock.systemUTC(), null);
		backend.tryAcquire(request("orders")).orElseThrow().release();
		Lease released = lease("orders");
		assertThat(released.getSpec().getHolderIdentity()).isNull();
		assertThat(released.getMetadata().getAnnotations()).containsOnlyKeys("forwardlock.io/fencing-token");
		LockLease next = backend.tryAcquire(request("orders")).orElseThrow();
		assertThat(next.fencingToken()).hasValue(2);
		assertThat(lease("orders").getSpec().getLeaseTransitions()).isEqualTo(1);
		next.release();
	}

	@Test
	void mockApiServerRejectsAnUpdateWithAStaleResourceVersion() {
		KubernetesLeaseBackend backend = backend(this.client, Clock.systemUTC(), null);
		LockLease lease = backend.tryAcquire(request("orders")).orElseThrow();
		Lease before = lease("orders");
		lease.heartbeat();
		assertThatExceptionOfType(KubernetesClientException.class)
			.isThrownBy(() -> this.client
				.resource(new LeaseBuilder(before).editSpec().withHolderIdentity("intruder").endSpec().build())
				.update())
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(409));
		assertThat(lease.verify().isHeld()).isTrue();
		lease.release();
	}

	@Test
	void contenderTakesOverOnlyAfterTheResourceVersionStayedUnchangedForTheLeaseDuration() {
		AtomicLong ticker = new AtomicLong();
		KubernetesLeaseBackend contender = backend(this.client, Clock.systemUTC(), ticker);
		LockLease holder = backend(this.client, Clock.systemUTC(), null).tryAcquire(request("orders")).orElseThrow();
		assertThat(contender.tryAcquire(request("orders"))).as("first sight of the Lease").isEmpty();
		ticker.addAndGet(LEASE_NANOS - 1);
		assertThat(contender.tryAcquire(request("orders"))).as("just before expiry").isEmpty();
		holder.heartbeat();
		ticker.addAndGet(1);
		assertThat(contender.tryAcquire(request("orders"))).as("the renewal changed the Lease").isEmpty();
		ticker.addAndGet(LEASE_NANOS - 1);
		assertThat(contender.tryAcquire(request("orders"))).as("just before expiry of the renewal").isEmpty();
		ticker.addAndGet(1);
		LockLease taken = contender.tryAcquire(request("orders")).orElseThrow();
		assertThat(taken.fencingToken()).hasValue(2);
		assertThat(holder.verify().status()).isEqualTo(Verification.Status.LOST);
		assertThat(holder.verify().detail()).contains("taken over");
		assertThatExceptionOfType(LockException.class).isThrownBy(holder::heartbeat)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
		taken.release();
	}

	@Test
	void renewalAfterAForeignEditRestoresTheLeaseDurationThatTheHolderTrusts() {
		AtomicLong ticker = new AtomicLong();
		KubernetesLeaseBackend contender = backend(this.client, Clock.systemUTC(), ticker);
		LockLease holder = backend(this.client, Clock.systemUTC(), null).tryAcquire(request("orders")).orElseThrow();
		// Somebody shortens the Lease (kubectl edit, a tool with other settings) and
		// leaves the holder in place: the holder's next renewal meets a 409, reads the
		// Lease back and finds it still its own
		this.client.resource(new LeaseBuilder(lease("orders")).editSpec().withLeaseDurationSeconds(1).endSpec().build())
			.update();
		holder.heartbeat();
		assertThat(lease("orders").getSpec().getLeaseDurationSeconds())
			.as("the renewal writes the duration the holder counts on")
			.isEqualTo(2);
		assertThat(contender.tryAcquire(request("orders"))).as("first sight of the renewal").isEmpty();
		ticker.addAndGet(Duration.ofSeconds(1).toNanos());
		holder.ensureHeld();
		assertThat(contender.tryAcquire(request("orders"))).as("while the holder still trusts its lease").isEmpty();
		holder.release();
	}

	@Test
	void holderIdentityEditedByHandLetsNoContenderInBeforeALeaseDurationAndCostsTheHolderItsNextCheck() {
		AtomicLong ticker = new AtomicLong();
		KubernetesLeaseBackend contender = backend(this.client, Clock.systemUTC(), ticker);
		LockLease holder = backend(this.client, Clock.systemUTC(), null).tryAcquire(request("orders")).orElseThrow();
		assertThat(contender.tryAcquire(request("orders"))).as("first sight of the Lease").isEmpty();
		// kubectl edit: another holder named by hand, the annotations left as they were
		this.client
			.resource(
					new LeaseBuilder(lease("orders")).editSpec().withHolderIdentity("edited-by-hand").endSpec().build())
			.update();
		// the edit changed the resourceVersion: to a contender it is a renewal, so it
		// waits a whole lease duration from the edit, more than the holder's next check
		ticker.addAndGet(LEASE_NANOS - 1);
		assertThat(contender.tryAcquire(request("orders"))).as("before the edit has aged a lease duration").isEmpty();
		assertThatExceptionOfType(LockException.class).isThrownBy(holder::heartbeat)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST))
			.satisfies((ex) -> assertThat(ex.getSummary()).contains("edited-by-hand"));
		assertThat(holder.verify().status()).isEqualTo(Verification.Status.LOST);
		assertThatExceptionOfType(LockException.class).isThrownBy(holder::ensureHeld);
		holder.release();
	}

	@Test
	void contenderWithWallClockSkewedByMinutesNeverTakesOverALiveHolder() throws Exception {
		// A longer lease than elsewhere, renewed every eighth of it: a loaded machine may
		// stall the renewals for a while without the holder really dying.
		Duration lease = Duration.ofSeconds(4);
		LockRequest request = LockRequest.named("orders").heartbeat(lease.dividedBy(8), lease).build();
		LockLease holder = backend(this.client, Clock.systemUTC(), null).tryAcquire(request).orElseThrow();
		ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
		heartbeat.scheduleWithFixedDelay(() -> renewQuietly(holder), 0, lease.dividedBy(8).toMillis(),
				TimeUnit.MILLISECONDS);
		try {
			for (Duration skew : new Duration[] { Duration.ofMinutes(10), Duration.ofMinutes(-10) }) {
				KubernetesLeaseBackend contender = backend(this.client, Clock.offset(Clock.systemUTC(), skew), null);
				await().during(lease.multipliedBy(3).dividedBy(2))
					.atMost(lease.multipliedBy(3).dividedBy(2).plusSeconds(30))
					.pollInterval(Duration.ofMillis(100))
					.until(() -> contender.tryAcquire(request).map(this::releaseAndFail).isEmpty());
			}
			assertThat(holder.verify().isHeld()).isTrue();
		}
		finally {
			heartbeat.shutdownNow();
		}
		// Once the holder stops renewing, the skewed contender takes over after the
		// lease duration, as any other.
		KubernetesLeaseBackend contender = backend(this.client, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10)),
				null);
		LockLease taken = contender.acquireBlocking(request, Duration.ofMillis(100));
		assertThat(taken.fencingToken()).hasValue(2);
		taken.release();
	}

	@Test
	void failFastStartTakesOverTheLeaseOfACrashedHolderWithinTheLeaseDuration() throws Exception {
		// A crashed holder: its Lease was written once and is never renewed again
		backend(this.client, Clock.systemUTC(), null).tryAcquire(request("orders")).orElseThrow();
		InstanceLock restarted = new InstanceLock(backend(this.client, Clock.systemUTC(), null), request("orders"));
		long started = System.nanoTime();
		LockLease taken = restarted.acquire(0, Duration.ofMillis(100));
		Duration waited = Duration.ofNanos(System.nanoTime() - started);
		assertThat(taken.fencingToken()).hasValue(2);
		assertThat(waited).as("a crashed holder's Lease is judged expired only after its duration")
			.isGreaterThanOrEqualTo(LEASE);
		taken.release();
	}

	@Test
	void failFastStartStillRefusesALiveHolderAndSaysSoAsSoonAsItRenews() throws Exception {
		// A long lease renewed often: the refusal must come from the renewal, long before
		// the lease could expire
		Duration lease = Duration.ofSeconds(60);
		LockRequest request = LockRequest.named("orders").heartbeat(Duration.ofMillis(200), lease).build();
		LockLease holder = backend(this.client, Clock.systemUTC(), null).tryAcquire(request).orElseThrow();
		ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
		heartbeat.scheduleWithFixedDelay(() -> renewQuietly(holder), 200, 200, TimeUnit.MILLISECONDS);
		try {
			InstanceLock contender = new InstanceLock(backend(this.client, Clock.systemUTC(), null), request);
			long started = System.nanoTime();
			assertThatExceptionOfType(LockException.class)
				.isThrownBy(() -> contender.acquire(0, Duration.ofMillis(100)))
				.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.INSTANCE_RUNNING))
				.satisfies((ex) -> assertThat(ex.getHolder().hostname()).isEqualTo(HolderRecord.localHostname()));
			assertThat(Duration.ofNanos(System.nanoTime() - started)).as("refused before the lease could expire")
				.isLessThan(lease);
			assertThat(holder.verify().isHeld()).isTrue();
		}
		finally {
			heartbeat.shutdownNow();
			heartbeat.awaitTermination(30, TimeUnit.SECONDS);
		}
		holder.release();
	}

	@Test
	void failFastStartRefusesWhenAnotherContenderTakesTheLeaseWhileItWatches() throws Exception {
		backend(this.client, Clock.systemUTC(), null).tryAcquire(request("orders")).orElseThrow();
		Future<LockLease> first = this.executor
			.submit(() -> new InstanceLock(backend(this.client, Clock.systemUTC(), null), request("orders")).acquire(0,
					Duration.ofMillis(100)));
		Future<LockLease> second = this.executor
			.submit(() -> new InstanceLock(backend(this.client, Clock.systemUTC(), null), request("orders")).acquire(0,
					Duration.ofMillis(100)));
		List<LockLease> won = new ArrayList<>();
		for (Future<LockLease> contender : List.of(first, second)) {
			try {
				won.add(contender.get(60, TimeUnit.SECONDS));
			}
			catch (ExecutionException ex) {
				assertThat(ex.getCause()).isInstanceOf(LockException.class);
			}
		}
		won.forEach(LockLease::release);
		assertThat(won).as("of two fail-fast contenders, the loser saw the winner's change").hasSize(1);
	}

	/**
	 * Renew as the lifecycle does: a failed renewal is retried at the next beat, until
	 * the lease runs out (a scheduled task that threw would never run again).
	 */
	private static void renewQuietly(LockLease lease) {
		try {
			lease.heartbeat();
		}
		catch (LockException ex) {
			// retried at the next beat
		}
	}

	private LockLease releaseAndFail(LockLease lease) {
		lease.release();
		throw new AssertionError("A contender with a skewed clock took over a live holder");
	}

	@Test
	void holderStepsDownAtItsLocalDeadlineWithoutWaitingForAnUnreachableApiServer() throws Exception {
		try (CuttableProxy proxy = new CuttableProxy(this.server.server().getPort());
				KubernetesClient proxied = KubernetesLeaseClients.create(MockApiServer.config(proxy.url(), LEASE))) {
			AtomicLong ticker = new AtomicLong();
			LockLease holder = backend(proxied, Clock.systemUTC(), ticker).tryAcquire(request("orders")).orElseThrow();
			proxy.cut();
			assertThatExceptionOfType(LockException.class).isThrownBy(holder::verify)
				.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE));
			assertThatExceptionOfType(LockException.class).isThrownBy(holder::heartbeat)
				.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE));
			ticker.addAndGet(TRUSTED_NANOS);
			Verification verification = holder.verify();
			assertThat(verification.status()).isEqualTo(Verification.Status.LOST);
			assertThat(verification.detail()).contains("no renewal succeeded");
			proxy.restore();
			assertThatExceptionOfType(LockException.class).isThrownBy(holder::heartbeat)
				.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
			assertThat(holder.verify().isHeld()).as("lost stays lost").isFalse();
		}
	}

	@Test
	void ensureHeldAndTimeLeftCountTheLeaseLostAFifthBeforeItsEndWithoutAskingTheApiServer() throws Exception {
		try (CuttableProxy proxy = new CuttableProxy(this.server.server().getPort());
				KubernetesClient proxied = KubernetesLeaseClients.create(MockApiServer.config(proxy.url(), LEASE))) {
			AtomicLong ticker = new AtomicLong();
			LockLease holder = backend(proxied, Clock.systemUTC(), ticker).tryAcquire(request("orders")).orElseThrow();
			proxy.cut();
			ticker.addAndGet(TRUSTED_NANOS - 1);
			holder.ensureHeld();
			assertThat(holder.timeLeft()).contains(Duration.ofNanos(1));
			// 2 s - 0.4 s on the lease's own clock: a contender that saw the last renewal
			// at once could still not take over for 0.4 s
			ticker.addAndGet(1);
			assertThatExceptionOfType(LockException.class).isThrownBy(holder::ensureHeld)
				.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST))
				.withMessageContaining("no renewal succeeded for 1600 ms")
				.withMessageContaining("PT2S");
			assertThat(holder.timeLeft()).contains(Duration.ZERO);
			assertThat(holder.verify().status()).isEqualTo(Verification.Status.LOST);
		}
	}

	@Test
	void standbyRidesOutAnApiServerOutageAndTakesOverOnlyAfterTheHolderSteppedDown() throws Exception {
		try (CuttableProxy proxy = new CuttableProxy(this.server.server().getPort());
				KubernetesClient proxied = KubernetesLeaseClients.create(MockApiServer.config(proxy.url(), LEASE))) {
			LockLease holder = backend(proxied, Clock.systemUTC(), null).tryAcquire(request("orders")).orElseThrow();
			ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
			heartbeat.scheduleWithFixedDelay(() -> renewQuietly(holder), 0, LEASE.dividedBy(4).toMillis(),
					TimeUnit.MILLISECONDS);
			try {
				KubernetesLeaseBackend standbyBackend = backend(proxied, Clock.systemUTC(), null);
				Future<LockLease> standby = this.executor
					.submit(() -> standbyBackend.acquireBlocking(request("orders"), Duration.ofMillis(200)));
				proxy.cut();
				// The holder's deadline passes during the outage; the standby keeps
				// waiting.
				await().atMost(LEASE.plusSeconds(30))
					.pollInterval(Duration.ofMillis(50))
					.until(() -> statusOrNull(holder) == Verification.Status.LOST);
				assertThat(holder.verify().detail()).contains("no renewal succeeded");
				assertThat(standby.isDone()).as("standby waits through the outage").isFalse();
				proxy.restore();
				LockLease taken = standby.get(LEASE.plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
				assertThat(taken.fencingToken()).hasValue(2);
				assertThat(taken.verify().isHeld()).isTrue();
				taken.release();
			}
			finally {
				heartbeat.shutdownNow();
			}
		}
	}

	private static Verification.Status statusOrNull(LockLease lease) {
		try {
			return lease.verify().status();
		}
		catch (LockException ex) {
			// the API server cannot be reached and the lease has not run out yet
			return null;
		}
	}

	@Test
	void forbiddenAnswerReportsTheRoleAndRoleBindingToApply() throws Exception {
		try (MockApiServer forbidding = MockApiServer.startExpecting();
				KubernetesClient forbidden = forbidding.newClient(LEASE)) {
			forbidding.server()
				.expect()
				.get()
				.withPath("/apis/coordination.k8s.io/v1/namespaces/test/leases/orders")
				.andReturn(403,
						"""
								{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,
								"message":"leases.coordination.k8s.io \\"orders\\" is forbidden: User \\"system:serviceaccount:shop:orders-app\\" cannot get resource \\"leases\\" in API group \\"coordination.k8s.io\\" in the namespace \\"test\\""}
								""")
				.always();
			KubernetesLeaseBackend backend = backend(forbidden, Clock.systemUTC(), null);
			assertThatExceptionOfType(LockException.class)
				.isThrownBy(() -> backend.acquireBlocking(request("orders"), Duration.ofMillis(50)))
				.satisfies((ex) -> {
					assertThat(ex.getType()).isEqualTo(LockErrorType.PERMISSION_DENIED);
					assertThat(ex.getSummary()).contains("403 Forbidden");
					assertThat(String.join("\n", ex.getHelp())).contains("kind: Role", "kind: RoleBinding",
							"resources: [\"leases\"]", "verbs: [\"get\", \"update\", \"watch\"]",
							"resourceNames: [\"orders\"]", "name: orders-app", "namespace: shop",
							"kubectl auth can-i update leases -n test");
				});
		}
	}

	@Test
	void unreachableApiServerIsReportedWithItsAddress() throws Exception {
		int closedPort;
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
				java.net.InetAddress.getLoopbackAddress())) {
			closedPort = socket.getLocalPort();
		}
		try (KubernetesClient unreachable = KubernetesLeaseClients
			.create(MockApiServer.config("http://127.0.0.1:" + closedPort, LEASE))) {
			KubernetesLeaseBackend backend = backend(unreachable, Clock.systemUTC(), null);
			assertThatExceptionOfType(LockException.class).isThrownBy(() -> backend.tryAcquire(request("orders")))
				.satisfies((ex) -> {
					assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE);
					assertThat(String.join("\n", ex.getHelp()))
						.contains("Check that the API server at http://127.0.0.1:" + closedPort)
						.doesNotContain("No cluster configuration was found");
				});
		}
	}

	@Test
	void noClusterConfigurationSaysWhereTheClientLooks() {
		assumeThat(KubernetesLeaseErrors.clusterConfigurationFound()).as("no cluster configured on this machine")
			.isFalse();
		LockException ex = KubernetesLeaseErrors.of(
				new KubernetesClientException("kubernetes.default.svc: Name or service not known"), "read the Lease",
				"default", "orders", "Kubernetes Lease default/orders", "https://kubernetes.default.svc/");
		assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE);
		assertThat(String.join("\n", ex.getHelp())).contains("No cluster configuration was found",
				"https://kubernetes.default.svc/", "KUBECONFIG", "~/.kube/config", "kubernetes.master",
				"service account");
	}

	@Test
	void lockNamesAreMappedToLeaseNamesOrRejectedWithAClearMessage() {
		KubernetesLeaseBackend backend = backend(this.client, Clock.systemUTC(), null);
		assertThat(backend.leaseName(LockRequest.named("Orders_Job").build())).isEqualTo("orders-job");
		assertThatIllegalArgumentException().isThrownBy(() -> backend.leaseName(LockRequest.named("orders-").build()))
			.withMessageContaining("orders-")
			.withMessageContaining("Lease name");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new KubernetesLeaseBackend(this.client, "Not_A_Namespace"))
			.withMessageContaining("Not_A_Namespace");
		KubernetesLeaseBackend named = new KubernetesLeaseBackend(this.client, MockApiServer.NAMESPACE, "my-lease",
				"me", Clock.systemUTC());
		assertThat(named.describeLocation(LockRequest.named("orders").build()))
			.isEqualTo("Kubernetes Lease test/my-lease");
	}

	@Test
	void holderTextFromTheLeaseIsMadePrintableBeforeItIsShown() {
		LockLease lease = backend(this.client, Clock.systemUTC(), null).tryAcquire(request("orders")).orElseThrow();
		Lease current = lease("orders");
		this.client
			.resource(new LeaseBuilder(current).editMetadata()
				.addToAnnotations("forwardlock.io/pod", "evil\u001b[2J\u001b]0;owned\u0007pod")
				.addToAnnotations("forwardlock.io/application", "app\nFAKE LOG LINE")
				.endMetadata()
				.build())
			.update();
		HolderRecord holder = backend(this.client, Clock.systemUTC(), null).inspect(request("orders")).orElseThrow();
		assertThat(holder.hostname()).isEqualTo("evil?[2J?]0;owned?pod");
		assertThat(holder.applicationName()).isEqualTo("app?FAKE LOG LINE");
		lease.release();
	}

	@Test
	void inspectNamesTheHolderPodFromTheAnnotations() {
		LockLease lease = backend(this.client, Clock.systemUTC(), null).tryAcquire(request("orders")).orElseThrow();
		Optional<HolderRecord> holder = backend(this.client, Clock.systemUTC(), null).inspect(request("orders"));
		assertThat(holder).map(HolderRecord::hostname).contains(HolderRecord.localHostname());
		assertThat(holder).map(HolderRecord::processStartedAt).isPresent();
		LockException refusal = backend(this.client, Clock.systemUTC(), null).instanceRunning(holder.get(),
				request("orders"));
		assertThat(refusal.getType()).isEqualTo(LockErrorType.INSTANCE_RUNNING);
		assertThat(refusal.getMessage()).contains("on " + HolderRecord.localHostname())
			.contains("Kubernetes Lease test/orders")
			.contains("kubectl delete pod " + HolderRecord.localHostname() + " -n test")
			.contains("InstanceLock.acquireOnStandby")
			.doesNotContain("forward.lock.")
			.contains("kubectl get lease orders -n test -o yaml");
		lease.release();
	}

}
