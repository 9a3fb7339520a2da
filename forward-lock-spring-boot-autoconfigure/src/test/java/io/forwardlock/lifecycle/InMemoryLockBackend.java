package io.forwardlock.lifecycle;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;

/**
 * Backend for lifecycle tests that keeps its locks in memory, with switches for the
 * faults a real medium can have. Blocking acquisition waits on a monitor, without
 * polling.
 */
class InMemoryLockBackend implements LockBackend {

	private final Map<String, Lease> held = new ConcurrentHashMap<>();

	private final AtomicLong tokens = new AtomicLong();

	final AtomicInteger tryAcquireCalls = new AtomicInteger();

	final AtomicInteger heartbeats = new AtomicInteger();

	volatile boolean requiresHeartbeat;

	volatile Supplier<Verification> verification = Verification::held;

	volatile RuntimeException heartbeatFailure;

	/**
	 * When set, heartbeats hang until it is counted down, as on a hung database.
	 */
	volatile java.util.concurrent.CountDownLatch heartbeatGate;

	/**
	 * Failures that the next blocking acquisitions throw, one each, before waiting.
	 */
	final java.util.Queue<RuntimeException> acquireFailures = new java.util.concurrent.ConcurrentLinkedQueue<>();

	@Override
	public String id() {
		return "memory";
	}

	@Override
	public boolean requiresHeartbeat() {
		return this.requiresHeartbeat;
	}

	@Override
	public synchronized Optional<LockLease> tryAcquire(LockRequest request) {
		this.tryAcquireCalls.incrementAndGet();
		if (this.held.containsKey(request.name())) {
			return Optional.empty();
		}
		Lease lease = new Lease(request, request.newHolderRecord(), this.tokens.incrementAndGet());
		this.held.put(request.name(), lease);
		return Optional.of(lease);
	}

	@Override
	public synchronized LockLease acquireBlocking(LockRequest request, Duration pollInterval)
			throws InterruptedException {
		RuntimeException failure = this.acquireFailures.poll();
		if (failure != null) {
			throw failure;
		}
		while (true) {
			Optional<LockLease> lease = tryAcquire(request);
			if (lease.isPresent()) {
				return lease.get();
			}
			wait();
		}
	}

	@Override
	public Optional<HolderRecord> inspect(LockRequest request) {
		return Optional.ofNullable(this.held.get(request.name())).map(Lease::holder);
	}

	@Override
	public String describeLocation(LockRequest request) {
		return "memory:" + request.name();
	}

	boolean isHeld(String name) {
		return this.held.containsKey(name);
	}

	/**
	 * Take the lock as another holder would.
	 * @param request the lock
	 * @return the foreign lease
	 */
	LockLease holdAsOther(LockRequest request) {
		return tryAcquire(request).orElseThrow();
	}

	private synchronized void released(Lease lease) {
		this.held.remove(lease.request.name(), lease);
		notifyAll();
	}

	final class Lease implements LockLease {

		private final LockRequest request;

		private final HolderRecord holder;

		private final long token;

		private volatile boolean released;

		Lease(LockRequest request, HolderRecord holder, long token) {
			this.request = request;
			this.holder = holder;
			this.token = token;
		}

		@Override
		public String lockName() {
			return this.request.name();
		}

		@Override
		public String backendId() {
			return id();
		}

		@Override
		public String location() {
			return describeLocation(this.request);
		}

		@Override
		public HolderRecord holder() {
			return this.holder;
		}

		@Override
		public OptionalLong fencingToken() {
			return OptionalLong.of(this.token);
		}

		@Override
		public Verification verify() {
			return InMemoryLockBackend.this.verification.get();
		}

		@Override
		public void heartbeat() {
			java.util.concurrent.CountDownLatch gate = InMemoryLockBackend.this.heartbeatGate;
			if (gate != null) {
				try {
					gate.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			RuntimeException failure = InMemoryLockBackend.this.heartbeatFailure;
			if (failure != null) {
				throw failure;
			}
			InMemoryLockBackend.this.heartbeats.incrementAndGet();
		}

		@Override
		public boolean isReleased() {
			return this.released;
		}

		@Override
		public void release() {
			if (!this.released) {
				this.released = true;
				released(this);
			}
		}

	}

}
