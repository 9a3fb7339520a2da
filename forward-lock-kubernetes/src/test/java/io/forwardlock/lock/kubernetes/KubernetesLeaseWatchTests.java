package io.forwardlock.lock.kubernetes;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import io.forwardlock.lock.watch.LockWatchdog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A held {@link KubernetesLeaseLease} watches its Lease: an edit by hand that takes the
 * lock (the Lease deleted, its holder cleared) makes it lost as the API server tells of
 * it. The heartbeat interval and the stale timeout are an hour and two, and no watchdog
 * renews or verifies unless a test says so, so only the watch can explain a loss within
 * seconds. fabric8's CRUD mock sends watch events for what it stores.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesLeaseWatchTests {

	private static final Duration LEASE = Duration.ofHours(2);

	private static final Duration SOON = Duration.ofSeconds(10);

	private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

	@AfterEach
	void stopScheduler() throws InterruptedException {
		this.scheduler.shutdownNow();
		this.scheduler.awaitTermination(30, TimeUnit.SECONDS);
	}

	@Test
	void leaseDeletedByHandMakesTheHeldLeaseLostWithinSeconds() {
		try (MockApiServer server = MockApiServer.start(); KubernetesClient client = server.newClient(LEASE)) {
			KubernetesLeaseBackend backend = new KubernetesLeaseBackend(client, MockApiServer.NAMESPACE);
			LockLease lease = backend.tryAcquire(request()).orElseThrow();
			try {
				assertHeldForAWhile(lease);
				onServer(client).delete();
				await().atMost(SOON)
					.untilAsserted(() -> assertThatExceptionOfType(LockException.class).isThrownBy(lease::ensureHeld)
						.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST))
						.withMessageContaining("the Lease was deleted"));
				Verification verification = lease.verify();
				assertThat(verification.isHeld()).isFalse();
				assertThat(verification.detail()).contains("the Lease was deleted");
			}
			finally {
				lease.release();
			}
		}
	}

	@Test
	void leaseWhoseHolderIsClearedByHandMakesTheHeldLeaseLostWithinSeconds() {
		try (MockApiServer server = MockApiServer.start(); KubernetesClient client = server.newClient(LEASE)) {
			KubernetesLeaseBackend backend = new KubernetesLeaseBackend(client, MockApiServer.NAMESPACE);
			LockLease lease = backend.tryAcquire(request()).orElseThrow();
			try {
				assertHeldForAWhile(lease);
				onServer(client).edit((edited) -> {
					edited.getSpec().setHolderIdentity(null);
					return edited;
				});
				await().atMost(SOON)
					.untilAsserted(() -> assertThatExceptionOfType(LockException.class).isThrownBy(lease::ensureHeld)
						.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST))
						.withMessageContaining("the Lease was found without a holder"));
			}
			finally {
				lease.release();
			}
		}
	}

	@Test
	void watchdogReportsTheLossOfALeaseDeletedByHandAtOnceAlthoughItVerifiesOnlyEveryHour() {
		try (MockApiServer server = MockApiServer.start(); KubernetesClient client = server.newClient(LEASE)) {
			WatchingBackend backend = new WatchingBackend(client);
			LockRequest request = request();
			LockLease lease = backend.tryAcquire(request).orElseThrow();
			AtomicReference<String> lost = new AtomicReference<>();
			LockWatchdog watchdog = new LockWatchdog(lease, request, Duration.ofHours(1), true, System.nanoTime(),
					this.scheduler, new LockWatchdog.Listener() {

						@Override
						public void lost(String detail, @Nullable HolderRecord newHolder) {
							lost.set(detail);
						}

					});
			watchdog.start();
			try {
				await().atMost(SOON).until(() -> ((KubernetesLeaseLease) lease).isWatching());
				onServer(client).delete();
				await().atMost(SOON).untilAsserted(() -> assertThat(lost.get()).contains("the Lease was deleted"));
				assertThatExceptionOfType(LockException.class).isThrownBy(watchdog::ensureHeld);
				// a loss closes the watch, and nothing opens it again
				await().atMost(SOON).until(() -> !((KubernetesLeaseLease) lease).isWatching());
				assertThat(backend.opened).hasSize(1);
			}
			finally {
				watchdog.stop();
				lease.release();
			}
		}
	}

	@Test
	void leaseEditedByHandWithoutChangingItsHolderStaysHeld() {
		try (MockApiServer server = MockApiServer.start(); KubernetesClient client = server.newClient(LEASE)) {
			WatchingBackend backend = new WatchingBackend(client);
			LockLease lease = backend.tryAcquire(request()).orElseThrow();
			try {
				await().atMost(SOON).until(() -> ((KubernetesLeaseLease) lease).isWatching());
				onServer(client).edit((edited) -> {
					edited.getMetadata().setLabels(Map.of("team", "orders"));
					return edited;
				});
				// the watch told of the edit, and the lease judged it still its own
				await().atMost(SOON).until(() -> backend.events.contains(Watcher.Action.MODIFIED));
				assertHeldForAWhile(lease);
				assertThat(lease.verify().isHeld()).isTrue();
				lease.heartbeat();
				assertThat(onServer(client).get().getMetadata().getLabels()).containsEntry("team", "orders");
			}
			finally {
				lease.release();
			}
		}
	}

	@Test
	void holdersOwnRenewalsDoNotMakeTheLeaseLost() {
		try (MockApiServer server = MockApiServer.start(); KubernetesClient client = server.newClient(LEASE)) {
			WatchingBackend backend = new WatchingBackend(client);
			LockLease lease = backend.tryAcquire(request()).orElseThrow();
			try {
				await().atMost(SOON).until(() -> ((KubernetesLeaseLease) lease).isWatching());
				for (int i = 0; i < 5; i++) {
					lease.heartbeat();
				}
				await().atMost(SOON)
					.until(() -> backend.events.stream().filter((action) -> action == Watcher.Action.MODIFIED).count(),
							(count) -> count >= 5);
				assertHeldForAWhile(lease);
				assertThat(((KubernetesLeaseLease) lease).isWatching()).isTrue();
			}
			finally {
				lease.release();
			}
		}
	}

	@Test
	void watchClosedWithAnErrorIsNoLossAndIsOpenedAgainToNoticeALaterDeletion() {
		try (MockApiServer server = MockApiServer.start(); KubernetesClient client = server.newClient(LEASE)) {
			WatchingBackend backend = new WatchingBackend(client);
			LockLease lease = backend.tryAcquire(request()).orElseThrow();
			try {
				// the client gives the first watch up as after "410 Gone"
				endFirstWatch(backend, new WatcherException("too old resource version",
						new KubernetesClientException("Gone", 410, null)));
				await().atMost(SOON).until(() -> backend.opened.size() == 2);
				assertHeldForAWhile(lease);
				await().atMost(SOON).until(() -> ((KubernetesLeaseLease) lease).isWatching());
				onServer(client).delete();
				await().atMost(SOON)
					.untilAsserted(() -> assertThatExceptionOfType(LockException.class).isThrownBy(lease::ensureHeld)
						.withMessageContaining("the Lease was deleted"));
			}
			finally {
				lease.release();
			}
		}
	}

	@Test
	void watchEndedWith403IsGivenUpWithoutALossAndNotOpenedAgain() {
		try (MockApiServer server = MockApiServer.start(); KubernetesClient client = server.newClient(LEASE)) {
			WatchingBackend backend = new WatchingBackend(client);
			LockLease lease = backend.tryAcquire(request()).orElseThrow();
			try {
				// the Role lost its watch verb while the watch ran: the client gives the
				// watch up with the API server's 403
				endFirstWatch(backend, new WatcherException("forbidden",
						new KubernetesClientException("leases \"orders\" is forbidden", 403, null)));
				await().atMost(SOON).until(() -> !((KubernetesLeaseLease) lease).isWatching());
				// a reopening would come within a second (a quarter of the heartbeat, at
				// most 1 s)
				await().during(Duration.ofMillis(1500))
					.atMost(SOON)
					.untilAsserted(() -> assertThat(backend.opened).hasSize(1));
				lease.ensureHeld();
				assertThat(lease.verify().isHeld()).isTrue();
			}
			finally {
				lease.release();
			}
		}
	}

	@Test
	void watchRefusedWith403LeavesTheLeaseHeldAndVerificationsStillNoticeADeletion() {
		try (MockApiServer server = MockApiServer.start(); KubernetesClient client = server.newClient(LEASE)) {
			AtomicBoolean refused = new AtomicBoolean();
			KubernetesLeaseBackend backend = new KubernetesLeaseBackend(client, MockApiServer.NAMESPACE, null,
					KubernetesLeaseBackend.defaultIdentity(), Clock.systemUTC()) {

				@Override
				Watch watch(String name, @Nullable String resourceVersion, Watcher<Lease> watcher) {
					refused.set(true);
					throw new KubernetesClientException("leases \"orders\" is forbidden", 403, null);
				}

			};
			LockLease lease = backend.tryAcquire(request()).orElseThrow();
			try {
				await().atMost(SOON).untilTrue(refused);
				assertHeldForAWhile(lease);
				assertThat(((KubernetesLeaseLease) lease).isWatching()).isFalse();
				lease.heartbeat();
				assertThat(lease.verify().isHeld()).isTrue();
				// without the watch, as before it: the next verification notices
				onServer(client).delete();
				Verification verification = lease.verify();
				assertThat(verification.isHeld()).isFalse();
				assertThat(verification.detail()).contains("the Lease was deleted or changed hands when verifying it");
			}
			finally {
				lease.release();
			}
		}
	}

	@Test
	void releaseClosesTheWatchAndNothingOpensItAgain() {
		try (MockApiServer server = MockApiServer.start(); KubernetesClient client = server.newClient(LEASE)) {
			WatchingBackend backend = new WatchingBackend(client);
			for (int i = 0; i < 3; i++) {
				LockLease lease = backend.tryAcquire(request()).orElseThrow();
				await().atMost(SOON).until(() -> ((KubernetesLeaseLease) lease).isWatching());
				lease.release();
				assertThat(((KubernetesLeaseLease) lease).isWatching()).isFalse();
			}
			assertThat(backend.opened).hasSize(3);
			onServer(client).delete();
			await().during(Duration.ofSeconds(1))
				.atMost(SOON)
				.until(() -> backend.opened.size() == 3
						&& backend.events.stream().noneMatch(Watcher.Action.DELETED::equals));
		}
	}

	/**
	 * End the first watch the way the client gives a watch up: it stops forwarding, its
	 * connection ends, and the watcher hears of the error.
	 */
	private static void endFirstWatch(WatchingBackend backend, WatcherException cause) {
		await().atMost(SOON).until(() -> backend.opened.size() == 1);
		CountingWatcher first = backend.opened.get(0);
		first.silenced.set(true);
		first.watch.close();
		first.delegate.onClose(cause);
	}

	private static LockRequest request() {
		return LockRequest.named("orders").applicationName("orders").heartbeat(Duration.ofHours(1), LEASE).build();
	}

	private static Resource<Lease> onServer(KubernetesClient client) {
		return client.leases().inNamespace(MockApiServer.NAMESPACE).withName("orders");
	}

	/**
	 * Held now and for the next half second: enough for a watch event on its way to
	 * arrive on the loopback.
	 */
	private static void assertHeldForAWhile(LockLease lease) {
		await().during(Duration.ofMillis(500)).atMost(SOON).untilAsserted(lease::ensureHeld);
	}

	/**
	 * Backend that records the watches it opens and the events they bring.
	 */
	private static final class WatchingBackend extends KubernetesLeaseBackend {

		final List<CountingWatcher> opened = new CopyOnWriteArrayList<>();

		final List<Watcher.Action> events = new CopyOnWriteArrayList<>();

		WatchingBackend(KubernetesClient client) {
			super(client, MockApiServer.NAMESPACE, null, KubernetesLeaseBackend.defaultIdentity(), Clock.systemUTC());
		}

		@Override
		Watch watch(String name, @Nullable String resourceVersion, Watcher<Lease> watcher) {
			CountingWatcher counting = new CountingWatcher(watcher, this.events);
			counting.watch = super.watch(name, resourceVersion, counting);
			this.opened.add(counting);
			return counting.watch;
		}

	}

	private static final class CountingWatcher implements Watcher<Lease> {

		final Watcher<Lease> delegate;

		final List<Watcher.Action> events;

		final AtomicBoolean silenced = new AtomicBoolean();

		volatile Watch watch;

		CountingWatcher(Watcher<Lease> delegate, List<Watcher.Action> events) {
			this.delegate = delegate;
			this.events = events;
		}

		@Override
		public void eventReceived(Action action, Lease resource) {
			if (!this.silenced.get()) {
				this.events.add(action);
				this.delegate.eventReceived(action, resource);
			}
		}

		@Override
		public void onClose(WatcherException cause) {
			if (!this.silenced.get()) {
				this.delegate.onClose(cause);
			}
		}

		@Override
		public void onClose() {
			if (!this.silenced.get()) {
				this.delegate.onClose();
			}
		}

	}

}
