package io.forwardlock.benchmarks;

import java.io.IOException;
import java.time.Duration;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import io.forwardlock.lock.file.FileLockBackend;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.NativeFSLockFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a holder pays on every tick of its watchdog, with the lock held throughout:
 * <ul>
 * <li>{@code forwardLockVerify}: {@link LockLease#verify()} on a file lease, by default
 * every 5 seconds;</li>
 * <li>{@code forwardLockHeartbeat}: {@link LockLease#heartbeat()} on a file lease with
 * the heartbeat on, by default every 30 seconds;</li>
 * <li>{@code forwardLockEnsureHeld}: {@link LockLease#ensureHeld()} on a file lease,
 * which guarded work calls right before each side effect;</li>
 * <li>{@code luceneEnsureValid}: Lucene's {@link Lock#ensureValid()}, the closest
 * equivalent, for reference.</li>
 * </ul>
 */
public class VerificationBenchmark extends BenchmarkDefaults {

	private TemporaryLockDirectory directory;

	private LockLease lease;

	private LockLease heartbeatLease;

	private FSDirectory luceneDirectory;

	private Lock luceneLock;

	@Setup(Level.Trial)
	public void acquireLocks() throws IOException {
		this.directory = TemporaryLockDirectory.create();
		FileLockBackend backend = new FileLockBackend(this.directory.path());
		this.lease = FileLocks.acquire(backend, LockRequest.named("verified").build());
		this.heartbeatLease = FileLocks.acquire(backend,
				LockRequest.named("heartbeat").heartbeat(Duration.ofSeconds(30), Duration.ofSeconds(60)).build());
		this.luceneDirectory = FSDirectory.open(this.directory.path());
		this.luceneLock = NativeFSLockFactory.INSTANCE.obtainLock(this.luceneDirectory, "lucene.lock");
	}

	@TearDown(Level.Trial)
	public void releaseLocks() throws IOException {
		try (TemporaryLockDirectory directory = this.directory;
				FSDirectory lucene = this.luceneDirectory;
				Lock luceneLock = this.luceneLock) {
			this.lease.release();
			this.heartbeatLease.release();
		}
	}

	@Benchmark
	public Verification forwardLockVerify() {
		Verification verification = this.lease.verify();
		if (verification.status() != Verification.Status.HELD) {
			throw new IllegalStateException("Verification did not find the lock held: " + verification);
		}
		return verification;
	}

	@Benchmark
	public void forwardLockHeartbeat() {
		this.heartbeatLease.heartbeat();
	}

	@Benchmark
	public void forwardLockEnsureHeld() {
		this.lease.ensureHeld();
	}

	@Benchmark
	public void luceneEnsureValid() throws IOException {
		this.luceneLock.ensureValid();
	}

}
