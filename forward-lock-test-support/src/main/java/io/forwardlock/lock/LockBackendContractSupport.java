package io.forwardlock.lock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.forwardlock.lock.file.testsupport.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hooks and the housekeeping of {@link LockBackendContractTests}: the backend under
 * test, the holders outside this JVM, and the leases released after each test. Extend
 * {@link LockBackendContractTests}, not this class.
 */
public abstract class LockBackendContractSupport {

	private final List<LockLease> leases = new ArrayList<>();

	private ExecutorService executor;

	/**
	 * Backend under test, created before each test.
	 */
	protected LockBackend backend;

	/**
	 * Create a backend on this test's medium. Every call must return a backend that
	 * shares the medium with the others of the same test.
	 * @return the backend
	 */
	protected abstract LockBackend createBackend();

	/**
	 * Start a holder of the lock that is not one of this JVM's backend instances (a child
	 * JVM, another database session). It must hold the lock when this returns.
	 * @param request the lock
	 * @return the holder
	 * @throws Exception on failure
	 */
	protected abstract ExternalHolder startExternalHolder(LockRequest request) throws Exception;

	/**
	 * Take the lock away from a held lease without telling it, such that its next
	 * {@link LockLease#verify()} must report {@link Verification.Status#LOST}.
	 * @param lease the lease
	 * @param request its request
	 * @throws Exception on failure
	 */
	protected abstract void breakLease(LockLease lease, LockRequest request) throws Exception;

	/**
	 * How long a vanished holder may keep blocking the lock: zero for an OS lock, the
	 * lease duration for a lease backend.
	 * @return the longest acceptable delay
	 */
	protected Duration takeoverTimeout() {
		return Duration.ofSeconds(10);
	}

	/**
	 * Whether leases carry strictly increasing fencing tokens.
	 * @return whether fencing tokens are supported
	 */
	protected boolean supportsFencingTokens() {
		return false;
	}

	/**
	 * Request for a lock name; override to add backend-specific settings such as a short
	 * lease.
	 * @param name the lock name
	 * @return the request
	 */
	protected LockRequest request(String name) {
		return LockRequest.named(name).applicationName("contract-test").build();
	}

	@BeforeEach
	void createBackendUnderTest() {
		this.backend = createBackend();
		this.executor = Executors.newCachedThreadPool();
	}

	@AfterEach
	void releaseLeases() throws InterruptedException {
		this.executor.shutdownNow();
		this.executor.awaitTermination(30, TimeUnit.SECONDS);
		synchronized (this.leases) {
			this.leases.forEach(LockLease::release);
			this.leases.clear();
		}
	}

	/**
	 * Acquire a lock that must be free, and release it after the test.
	 * @param request the lock
	 * @return the lease
	 */
	protected LockLease acquire(LockRequest request) {
		Optional<LockLease> lease = this.backend.tryAcquire(request);
		assertThat(lease).as("lease for %s", request.name()).isPresent();
		return track(lease.get());
	}

	/**
	 * Release a lease after the test.
	 * @param lease the lease
	 * @return the lease
	 */
	protected LockLease track(LockLease lease) {
		synchronized (this.leases) {
			this.leases.add(lease);
		}
		return lease;
	}

	/**
	 * Threads for contenders of the running test, stopped after it.
	 * @return the executor
	 */
	protected ExecutorService executor() {
		return this.executor;
	}

	/**
	 * A holder of a lock outside this JVM's backend instances.
	 */
	public interface ExternalHolder extends AutoCloseable {

		/**
		 * Ask a child JVM that speaks the test-support protocol ({@code READY}, then
		 * {@code acquire} answered by {@code ACQUIRED}) to take the lock, and wrap it as
		 * a holder that vanishes by SIGKILL. The child is closed if it cannot acquire.
		 * @param child the started child JVM
		 * @return the holder
		 * @throws Exception if the child does not acquire the lock
		 */
		static ExternalHolder acquiredBy(ChildJvm child) throws Exception {
			try {
				child.await(Duration.ofSeconds(60), "READY");
				String answer = child.ask("acquire", Duration.ofSeconds(60), "ACQUIRED", "BUSY", "ERROR");
				if (!answer.startsWith("ACQUIRED")) {
					throw new AssertionError("Child could not acquire: " + answer);
				}
			}
			catch (Exception | AssertionError ex) {
				child.close();
				throw ex;
			}
			return new ExternalHolder() {

				@Override
				public void vanish() throws Exception {
					child.kill();
				}

				@Override
				public long pid() {
					return child.pid();
				}

				@Override
				public void close() {
					child.close();
				}

			};
		}

		/**
		 * Make the holder disappear without releasing, as a crash would.
		 * @throws Exception on failure
		 */
		void vanish() throws Exception;

		/**
		 * Process id of the holder, when it is a process of this host.
		 * @return the PID, or {@code -1}
		 */
		default long pid() {
			return -1;
		}

		/**
		 * Clean up whatever is left of the holder.
		 */
		@Override
		void close();

	}

}
