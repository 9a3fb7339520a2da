package io.forwardlock.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.NativeFSLockFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One uncontended acquire followed by one release, which is what an application pays once
 * at startup and once at shutdown, for three ways of holding a single-instance lock:
 * <ul>
 * <li>{@code seedPidFile}: a plain PID lock file's exclusive-create, write PID,
 * {@code fsync}, delete ({@link SeedPidFileLock});</li>
 * <li>{@code luceneNativeFs}: Lucene's {@link NativeFSLockFactory}, an OS lock on a file
 * that is left in place;</li>
 * <li>{@code luceneNativeFsThenDelete}: the same followed by deleting the lock file, a
 * control that shows what cleaning up after itself costs (forward-lock removes its files
 * on release, Lucene never does);</li>
 * <li>{@code lockedPidFileWithRecord}: a control that creates, locks, writes and removes
 * the same files as forward-lock, without any of its checks
 * ({@link LockedPidFileWithRecord});</li>
 * <li>{@code forwardLockFile}: forward-lock's file backend.</li>
 * </ul>
 * Each benchmark uses its own lock file in a fresh temporary directory.
 */
public class AcquireReleaseBenchmark extends BenchmarkDefaults {

	private TemporaryLockDirectory directory;

	private Path seedLockFile;

	private Path controlLockFile;

	private FSDirectory luceneDirectory;

	private FileLockBackend forwardLock;

	private LockRequest forwardLockRequest;

	private LockRequest heartbeatRequest;

	@Setup(Level.Trial)
	public void createLockDirectory() throws IOException {
		this.directory = TemporaryLockDirectory.create();
		this.seedLockFile = this.directory.resolve("seed.lock");
		this.controlLockFile = this.directory.resolve("control.lock");
		this.luceneDirectory = FSDirectory.open(this.directory.path());
		this.forwardLock = new FileLockBackend(this.directory.path());
		this.forwardLockRequest = LockRequest.named("forward-lock").build();
		this.heartbeatRequest = LockRequest.named("forward-lock-heartbeat")
			.heartbeat(Duration.ofSeconds(30), Duration.ofSeconds(60))
			.build();
	}

	@TearDown(Level.Trial)
	public void deleteLockDirectory() throws IOException {
		this.luceneDirectory.close();
		this.directory.close();
	}

	@Benchmark
	public void seedPidFile(Blackhole blackhole) throws IOException {
		try (SeedPidFileLock lock = SeedPidFileLock.acquire(this.seedLockFile)) {
			blackhole.consume(lock);
		}
	}

	@Benchmark
	public void lockedPidFileWithRecord(Blackhole blackhole) throws IOException {
		try (LockedPidFileWithRecord lock = LockedPidFileWithRecord.acquire(this.controlLockFile)) {
			blackhole.consume(lock);
		}
	}

	@Benchmark
	public void forwardLockFile(Blackhole blackhole) {
		try (LockLease lease = FileLocks.acquire(this.forwardLock, this.forwardLockRequest)) {
			blackhole.consume(lease);
		}
	}

	/**
	 * With the heartbeat on: the acquisition confirms its file and gets a fencing token
	 * under the OS lock on the takeover file, and the release unlinks under it.
	 * @param blackhole sink
	 */
	@Benchmark
	public void forwardLockFileWithHeartbeat(Blackhole blackhole) {
		try (LockLease lease = FileLocks.acquire(this.forwardLock, this.heartbeatRequest)) {
			blackhole.consume(lease.fencingToken());
		}
	}

	@Benchmark
	public void luceneNativeFs(Blackhole blackhole) throws IOException {
		try (Lock lock = NativeFSLockFactory.INSTANCE.obtainLock(this.luceneDirectory, "lucene.lock")) {
			blackhole.consume(lock);
		}
	}

	@Benchmark
	public void luceneNativeFsThenDelete(Blackhole blackhole) throws IOException {
		try (Lock lock = NativeFSLockFactory.INSTANCE.obtainLock(this.luceneDirectory, "lucene-deleted.lock")) {
			blackhole.consume(lock);
		}
		Files.delete(this.directory.resolve("lucene-deleted.lock"));
	}

}
