package io.forwardlock.lock.kubernetes;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.watch.LockWatchdog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@link KubernetesLeaseLease} kept by the {@link LockWatchdog}, as an application
 * keeps it: renewals and verifications take turns, and a slow verification must not cost
 * the renewals that keep the Lease alive on the API server.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesLeaseWatchdogTests {

	/**
	 * Heartbeat at half the stale timeout, the longest interval allowed: a single skipped
	 * renewal then lets the lease run out.
	 */
	private static final Duration LEASE = Duration.ofSeconds(3);

	private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(3);

	/**
	 * Released when the test ends, to let the hung read answer at last.
	 */
	private final CountDownLatch hungReadReleased = new CountDownLatch(1);

	@AfterEach
	void stopScheduler() throws InterruptedException {
		this.hungReadReleased.countDown();
		this.scheduler.shutdownNow();
		this.scheduler.awaitTermination(30, TimeUnit.SECONDS);
	}

	@Test
	void verificationWhoseReadHangsDoesNotHoldBackTheRenewalsThatKeepTheLeaseAlive() {
		try (MockApiServer server = MockApiServer.start(); KubernetesClient client = server.newClient(LEASE)) {
			holdTheLeaseThroughAHungRead(client);
		}
	}

	private void holdTheLeaseThroughAHungRead(KubernetesClient client) {
		LockRequest request = LockRequest.named("orders")
			.applicationName("orders")
			.heartbeat(LEASE.dividedBy(2), LEASE)
			.build();
		AtomicBoolean hangNextRead = new AtomicBoolean();
		CountDownLatch readHangs = new CountDownLatch(1);
		KubernetesLeaseBackend backend = new KubernetesLeaseBackend(client, MockApiServer.NAMESPACE, null,
				KubernetesLeaseBackend.defaultIdentity(), Clock.systemUTC()) {

			@Override
			@Nullable Lease read(String name) {
				if (hangNextRead.compareAndSet(true, false)) {
					// a slow API server: this one GET answers only when the test ends
					readHangs.countDown();
					awaitQuietly(KubernetesLeaseWatchdogTests.this.hungReadReleased);
				}
				return super.read(name);
			}

		};
		LockLease lease = backend.tryAcquire(request).orElseThrow();
		long acquiredAt = System.nanoTime();
		AtomicInteger renewalsAfterHang = new AtomicInteger();
		AtomicReference<String> lost = new AtomicReference<>();
		LockWatchdog watchdog = new LockWatchdog(lease, request, Duration.ofMillis(400), true, acquiredAt,
				this.scheduler, new LockWatchdog.Listener() {

					@Override
					public void renewed(Instant at) {
						if (readHangs.getCount() == 0) {
							renewalsAfterHang.incrementAndGet();
						}
					}

					@Override
					public void lost(String detail, @Nullable HolderRecord newHolder) {
						lost.set(detail);
					}

				});
		hangNextRead.set(true);
		watchdog.start();
		try {
			// renewals for twice the lease duration after the GET hung: without them the
			// Lease would have expired on the API server
			await().atMost(Duration.ofSeconds(30))
				.failFast("the watchdog reported the lease lost",
						() -> assertThat(lost.get()).as("reason of the loss").isNull())
				.until(() -> renewalsAfterHang.get() >= 4);
			assertThat(readHangs.getCount()).isZero();
			assertThat(watchdog.ensureHeld()).isNotEmpty();
			Lease onServer = client.leases().inNamespace(MockApiServer.NAMESPACE).withName("orders").get();
			assertThat(onServer.getSpec().getHolderIdentity()).isEqualTo(backend.getIdentity());
		}
		finally {
			watchdog.stop();
			lease.release();
		}
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(60, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new KubernetesClientException("interrupted", ex);
		}
	}

}
