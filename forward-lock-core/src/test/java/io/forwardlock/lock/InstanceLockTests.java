package io.forwardlock.lock;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.file.FileLockBackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link InstanceLock}, on a real {@link FileLockBackend}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InstanceLockTests {

	@TempDir
	Path directory;

	private final LockRequest request = LockRequest.named("orders").build();

	private InstanceLock lock() {
		return new InstanceLock(new FileLockBackend(this.directory), this.request);
	}

	@Test
	void tryAcquireIsIdempotentWhileHeld() {
		InstanceLock lock = lock();
		assertThat(lock.tryAcquire()).isTrue();
		LockLease lease = lock.getLease().orElseThrow();
		assertThat(lock.tryAcquire()).isTrue();
		assertThat(lock.getLease()).containsSame(lease);
		assertThat(lock.isAcquired()).isTrue();
		lock.release();
	}

	@Test
	void releaseIsIdempotentAndAllowsReacquiring() {
		InstanceLock lock = lock();
		lock.release();
		assertThat(lock.tryAcquire()).isTrue();
		LockLease lease = lock.getLease().orElseThrow();
		lock.release();
		lock.release();
		assertThat(lease.isReleased()).isTrue();
		assertThat(lock.isAcquired()).isFalse();
		assertThat(lock.getLease()).isEmpty();
		assertThat(lock.tryAcquire()).isTrue();
		lock.release();
	}

	@Test
	void acquireWithoutRetriesFailsWithInstanceRunning() {
		InstanceLock holder = lock();
		assertThat(holder.tryAcquire()).isTrue();
		try {
			assertThatExceptionOfType(LockException.class).isThrownBy(() -> lock().acquire(0, Duration.ofMillis(1)))
				.satisfies((ex) -> {
					assertThat(ex.getType()).isEqualTo(LockErrorType.INSTANCE_RUNNING);
					assertThat(ex.getPid()).isEqualTo(ProcessHandle.current().pid());
				});
		}
		finally {
			holder.release();
		}
	}

	@Test
	void acquireGivesUpAfterMaxRetries() {
		InstanceLock holder = lock();
		assertThat(holder.tryAcquire()).isTrue();
		AtomicInteger attempts = new AtomicInteger();
		InstanceLock contender = new InstanceLock(counting(new FileLockBackend(this.directory), attempts, null),
				this.request);
		try {
			assertThatExceptionOfType(LockException.class).isThrownBy(() -> contender.acquire(2, Duration.ofMillis(1)))
				.satisfies((ex) -> {
					assertThat(ex.getType()).isEqualTo(LockErrorType.MAX_RETRIES_EXCEEDED);
					assertThat(ex.getSummary()).contains("after 3 attempts");
				});
			assertThat(attempts.get()).isEqualTo(3);
		}
		finally {
			holder.release();
		}
	}

	@Test
	void acquireSucceedsWhenHolderReleasesBetweenRetries() throws Exception {
		InstanceLock holder = lock();
		assertThat(holder.tryAcquire()).isTrue();
		AtomicInteger attempts = new AtomicInteger();
		InstanceLock contender = new InstanceLock(counting(new FileLockBackend(this.directory), attempts, holder),
				this.request);
		LockLease lease = contender.acquire(5, Duration.ofMillis(1));
		assertThat(attempts.get()).isEqualTo(2);
		assertThat(lease.verify().isHeld()).isTrue();
		contender.release();
	}

	@Test
	void acquireRejectsNegativeRetries() {
		assertThatIllegalArgumentException().isThrownBy(() -> lock().acquire(-1, Duration.ZERO))
			.withMessageContaining("-1");
	}

	@Test
	void acquireIsInterruptibleWhileWaitingBetweenRetries() throws Exception {
		InstanceLock holder = lock();
		assertThat(holder.tryAcquire()).isTrue();
		CountDownLatch started = new CountDownLatch(1);
		Thread[] waiter = new Thread[1];
		CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
			waiter[0] = Thread.currentThread();
			started.countDown();
			try {
				lock().acquire(Integer.MAX_VALUE, Duration.ofSeconds(1));
				return null;
			}
			catch (Throwable ex) {
				return ex;
			}
		});
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
		waiter[0].interrupt();
		assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
		holder.release();
	}

	@Test
	void checkRunningInstanceReportsOwnLeaseOtherHolderOrNobody() {
		InstanceLock first = lock();
		InstanceLock second = lock();
		assertThat(first.checkRunningInstance()).isEmpty();
		assertThat(first.tryAcquire()).isTrue();
		HolderRecord own = first.getLease().orElseThrow().holder();
		assertThat(first.checkRunningInstance()).contains(own);
		assertThat(second.checkRunningInstance()).map(HolderRecord::instanceId).contains(own.instanceId());
		first.release();
		assertThat(second.checkRunningInstance()).isEmpty();
	}

	@Test
	void lockPathIsBackendLocation() {
		assertThat(lock().getLocation()).isEqualTo(this.directory.resolve("orders.lock").toAbsolutePath().toString());
	}

	@Test
	void requiresBackendAndRequest() {
		assertThatExceptionOfType(NullPointerException.class).isThrownBy(() -> new InstanceLock(null, this.request));
		assertThatExceptionOfType(NullPointerException.class)
			.isThrownBy(() -> new InstanceLock(new FileLockBackend(this.directory), null));
	}

	/**
	 * Backend that counts tries and can release a holder after the first one.
	 */
	private static LockBackend counting(LockBackend delegate, AtomicInteger attempts, InstanceLock releaseAfterFirst) {
		return new LockBackend() {

			@Override
			public String id() {
				return delegate.id();
			}

			@Override
			public Optional<LockLease> tryAcquire(LockRequest request) {
				Optional<LockLease> lease = delegate.tryAcquire(request);
				if (attempts.incrementAndGet() == 1 && releaseAfterFirst != null) {
					releaseAfterFirst.release();
				}
				return lease;
			}

			@Override
			public Optional<HolderRecord> inspect(LockRequest request) {
				return delegate.inspect(request);
			}

			@Override
			public String describeLocation(LockRequest request) {
				return delegate.describeLocation(request);
			}

		};
	}

}
