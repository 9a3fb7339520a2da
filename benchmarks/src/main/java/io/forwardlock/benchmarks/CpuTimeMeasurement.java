package io.forwardlock.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.NativeFSLockFactory;

/**
 * CPU time of the measuring thread per uncontended acquire+release, forward-lock's file
 * backend against Lucene's {@link NativeFSLockFactory}, in rounds that alternate the two.
 * On a machine shared with other builds, wall-clock time mostly measures the wait for a
 * core; the thread's own CPU time is less sensitive to that. Later rounds are warmer.
 * <p>
 * Usage: {@code java -cp benchmarks.jar io.forwardlock.benchmarks.CpuTimeMeasurement
 * [CYCLES [ROUNDS]]} (defaults 3000 and 3).
 */
public final class CpuTimeMeasurement {

	private CpuTimeMeasurement() {
	}

	public static void main(String[] args) throws Exception {
		int cycles = (args.length > 0) ? Integer.parseInt(args[0]) : 3000;
		int rounds = (args.length > 1) ? Integer.parseInt(args[1]) : 3;
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		try (TemporaryLockDirectory directory = TemporaryLockDirectory.create();
				FSDirectory lucene = FSDirectory.open(directory.path())) {
			FileLockBackend backend = new FileLockBackend(directory.path());
			LockRequest request = LockRequest.named("forward-lock").build();
			for (int round = 1; round <= rounds; round++) {
				long start = threads.getCurrentThreadCpuTime();
				for (int i = 0; i < cycles; i++) {
					FileLocks.acquire(backend, request).release();
				}
				long forwardLock = threads.getCurrentThreadCpuTime() - start;
				start = threads.getCurrentThreadCpuTime();
				for (int i = 0; i < cycles; i++) {
					NativeFSLockFactory.INSTANCE.obtainLock(lucene, "lucene.lock").close();
				}
				long luceneTime = threads.getCurrentThreadCpuTime() - start;
				System.out.printf("round %d: forwardLockFile %.1f us CPU, luceneNativeFs %.1f us CPU, ratio %.2f%n",
						round, forwardLock / 1e3 / cycles, luceneTime / 1e3 / cycles,
						(double) forwardLock / luceneTime);
			}
		}
	}

}
