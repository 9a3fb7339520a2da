package io.forwardlock.lock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Behaviour that every {@link LockBackend} must show. A backend's test extends this class
 * and implements the hooks; it adds only its own regressions on top.
 * <p>
 * Hooks:
 * <ul>
 * <li>{@link #createBackend()}: a backend on this test's medium (directory, database).
 * Called several times per test; all instances must share the medium.</li>
 * <li>{@link #startExternalHolder(LockRequest)}: a holder outside this JVM's backend
 * instances (child process, other connection) that can vanish without releasing.</li>
 * <li>{@link #breakLease(LockLease, LockRequest)}: take the lock away from a lease behind
 * its back, as a takeover or an operator would.</li>
 * <li>{@link #takeoverTimeout()} and {@link #supportsFencingTokens()}: tuning.</li>
 * </ul>
 * Leases created through {@link #acquire(LockRequest)} are released after each test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class LockBackendContractTests extends LockBackendContractSupport {

	@Test
	void tryAcquireGrantsFreeLockWithDescribedLease() {
		LockRequest request = request("contract-free");
		LockLease lease = acquire(request);
		assertThat(lease.lockName()).isEqualTo("contract-free");
		assertThat(lease.backendId()).isEqualTo(this.backend.id());
		assertThat(lease.location()).isEqualTo(this.backend.describeLocation(request));
		assertThat(lease.isReleased()).isFalse();
		HolderRecord holder = lease.holder();
		assertThat(holder.pid()).isEqualTo(ProcessHandle.current().pid());
		assertThat(holder.applicationName()).isEqualTo("contract-test");
		assertThat(holder.instanceId()).isEqualTo(request.instanceId());
		assertThat(holder.acquiredAt()).isNotNull();
		assertThat(holder.isProcessAlive()).isTrue();
	}

	@Test
	void tryAcquireReturnsEmptyWhileSameBackendHoldsLock() {
		LockRequest request = request("contract-held");
		acquire(request);
		assertThat(this.backend.tryAcquire(request)).isEmpty();
	}

	@Test
	void tryAcquireReturnsEmptyWhileAnotherBackendInstanceHoldsLock() {
		acquire(request("contract-other-instance"));
		LockBackend other = createBackend();
		assertThat(other.tryAcquire(request("contract-other-instance"))).isEmpty();
	}

	@Test
	void differentLockNamesDoNotExcludeEachOther() {
		LockLease first = acquire(request("contract-one"));
		LockLease second = acquire(request("contract-two"));
		assertThat(first.verify().isHeld()).isTrue();
		assertThat(second.verify().isHeld()).isTrue();
	}

	@Test
	void lockCanBeAcquiredRightAfterRelease() {
		LockRequest request = request("contract-reacquire");
		LockLease first = acquire(request);
		first.release();
		assertThat(first.isReleased()).isTrue();
		LockLease second = acquire(request);
		assertThat(second.verify().isHeld()).isTrue();
	}

	@Test
	void releaseIsIdempotent() {
		LockRequest request = request("contract-idempotent");
		LockLease lease = acquire(request);
		lease.release();
		lease.release();
		lease.close();
		assertThat(lease.isReleased()).isTrue();
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.LOST);
		acquire(request);
	}

	@Test
	void releaseWorksFromAnotherThread() throws Exception {
		LockRequest request = request("contract-other-thread");
		LockLease lease = acquire(request);
		executor().submit(lease::release).get(30, TimeUnit.SECONDS);
		assertThat(lease.isReleased()).isTrue();
		acquire(request);
	}

	@Test
	void releaseOfOneLeaseLeavesOtherLocksHeld() {
		LockLease first = acquire(request("contract-keep-a"));
		LockLease second = acquire(request("contract-keep-b"));
		first.release();
		assertThat(second.verify().isHeld()).isTrue();
		assertThat(createBackend().tryAcquire(request("contract-keep-b"))).isEmpty();
	}

	@Test
	void verifyReportsHeldWhileHolding() {
		LockLease lease = acquire(request("contract-verify"));
		Verification verification = lease.verify();
		assertThat(verification.status()).isEqualTo(Verification.Status.HELD);
		assertThat(verification.isHeld()).isTrue();
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
	}

	@Test
	void heartbeatKeepsLeaseHeld() {
		LockRequest request = request("contract-heartbeat");
		LockLease lease = acquire(request);
		lease.heartbeat();
		lease.heartbeat();
		assertThat(lease.verify().isHeld()).isTrue();
		assertThat(createBackend().tryAcquire(request)).isEmpty();
	}

	@Test
	void inspectIsEmptyWhenNobodyHoldsLock() {
		assertThat(this.backend.inspect(request("contract-nobody"))).isEmpty();
	}

	@Test
	void inspectReportsHolderWithoutDisturbingIt() {
		LockRequest request = request("contract-inspect");
		LockLease lease = acquire(request);
		Optional<HolderRecord> holder = createBackend().inspect(request);
		assertThat(holder).isPresent();
		assertThat(holder.get().pid()).isEqualTo(ProcessHandle.current().pid());
		Optional<HolderRecord> own = this.backend.inspect(request);
		assertThat(own).map(HolderRecord::instanceId).contains(lease.holder().instanceId());
		assertThat(own).map(HolderRecord::applicationName).contains("contract-test");
		assertThat(lease.verify().status()).isEqualTo(Verification.Status.HELD);
		assertThat(createBackend().tryAcquire(request)).isEmpty();
	}

	@Test
	void inspectIsEmptyAfterRelease() {
		LockRequest request = request("contract-inspect-released");
		acquire(request).release();
		assertThat(this.backend.inspect(request)).isEmpty();
	}

	@Test
	void externalHolderExcludesAndIsReportedByInspect() throws Exception {
		LockRequest request = request("contract-external");
		try (ExternalHolder holder = startExternalHolder(request)) {
			assertThat(this.backend.tryAcquire(request)).isEmpty();
			Optional<HolderRecord> inspected = this.backend.inspect(request);
			assertThat(inspected).isPresent();
			if (holder.pid() > 0) {
				assertThat(inspected.get().pid()).isEqualTo(holder.pid());
			}
		}
	}

	@Test
	void lockIsTakenOverAfterHolderVanishesWithoutReleasing() throws Exception {
		LockRequest request = request("contract-vanish");
		try (ExternalHolder holder = startExternalHolder(request)) {
			assertThat(this.backend.tryAcquire(request)).isEmpty();
			holder.vanish();
			AtomicReference<LockLease> lease = new AtomicReference<>();
			await().atMost(takeoverTimeout().plusSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
				this.backend.tryAcquire(request).map(this::track).ifPresent(lease::set);
				return lease.get() != null;
			});
			assertThat(lease.get().verify().isHeld()).isTrue();
		}
	}

	@Test
	void lossIsDetectedByVerify() throws Exception {
		LockRequest request = request("contract-lost");
		LockLease lease = acquire(request);
		assertThat(lease.verify().isHeld()).isTrue();
		breakLease(lease, request);
		Verification verification = lease.verify();
		assertThat(verification.status()).isEqualTo(Verification.Status.LOST);
		assertThat(verification.isHeld()).isFalse();
		assertThat(verification.detail()).isNotBlank();
	}

	@Test
	void acquireBlockingWaitsUntilHolderReleases() throws Exception {
		LockRequest request = request("contract-blocking");
		LockLease first = acquire(request);
		CountDownLatch started = new CountDownLatch(1);
		Future<LockLease> waiter = executor().submit(() -> {
			started.countDown();
			return track(createBackend().acquireBlocking(request, Duration.ofMillis(20)));
		});
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
		assertThat(waiter.isDone()).isFalse();
		first.release();
		LockLease second = waiter.get(60, TimeUnit.SECONDS);
		assertThat(second.verify().isHeld()).isTrue();
	}

	@Test
	void acquireBlockingIsInterruptible() throws Exception {
		LockRequest request = request("contract-interrupt");
		LockLease holder = acquire(request);
		CountDownLatch started = new CountDownLatch(1);
		AtomicReference<Object> outcome = new AtomicReference<>();
		Thread waiter = new Thread(() -> {
			started.countDown();
			try {
				outcome.set(track(createBackend().acquireBlocking(request, Duration.ofMillis(20))));
			}
			catch (Throwable ex) {
				outcome.set(ex);
			}
		}, "contract-waiter");
		waiter.start();
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
		waiter.interrupt();
		waiter.join(Duration.ofSeconds(30).toMillis());
		assertThat(waiter.isAlive()).isFalse();
		assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
		assertThat(holder.verify().status()).isEqualTo(Verification.Status.HELD);
		holder.release();
		// the interrupted waiter cleaned up: the lock is free for others
		acquire(request);
	}

	@Test
	void fencingTokensStrictlyIncrease() {
		assumeThat(supportsFencingTokens()).as("backend supports fencing tokens").isTrue();
		LockRequest request = request("contract-fencing");
		long previous = Long.MIN_VALUE;
		for (int i = 0; i < 5; i++) {
			LockLease lease = acquire(request);
			assertThat(lease.fencingToken()).isPresent();
			assertThat(lease.fencingToken().getAsLong()).isGreaterThan(previous);
			previous = lease.fencingToken().getAsLong();
			lease.release();
		}
	}

	@Test
	void fencingTokenIsEmptyWhenNotSupported() {
		assumeThat(supportsFencingTokens()).isFalse();
		assertThat(acquire(request("contract-no-fencing")).fencingToken()).isEmpty();
	}

	@Test
	void invalidRequestsAreRejectedBeforeReachingBackend() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.backend.tryAcquire(LockRequest.named("../escape").build()))
			.withMessageContaining("../escape");
	}

	@Test
	void concurrentContendersNeverOverlapAndCountersAreExact() throws Exception {
		LockRequest request = request("contract-fuzz");
		int threads = 8;
		int iterations = 40;
		AtomicInteger inside = new AtomicInteger();
		AtomicInteger overlaps = new AtomicInteger();
		AtomicInteger acquisitions = new AtomicInteger();
		int[] unsafeCounter = new int[1];
		CountDownLatch go = new CountDownLatch(1);
		List<Future<?>> futures = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			LockBackend contender = createBackend();
			futures.add(executor().submit(() -> {
				go.await();
				for (int i = 0; i < iterations; i++) {
					Optional<LockLease> lease = contender.tryAcquire(request);
					if (lease.isEmpty()) {
						continue;
					}
					try {
						if (inside.incrementAndGet() != 1) {
							overlaps.incrementAndGet();
						}
						// deliberately unsynchronized: only the lock protects it
						int value = unsafeCounter[0];
						Thread.yield();
						unsafeCounter[0] = value + 1;
						acquisitions.incrementAndGet();
						inside.decrementAndGet();
					}
					finally {
						lease.get().release();
					}
				}
				return null;
			}));
		}
		go.countDown();
		for (Future<?> future : futures) {
			future.get(90, TimeUnit.SECONDS);
		}
		assertThat(overlaps.get()).isZero();
		assertThat(acquisitions.get()).isPositive();
		synchronized (this) {
			assertThat(unsafeCounter[0]).isEqualTo(acquisitions.get());
		}
		acquire(request);
	}

}
