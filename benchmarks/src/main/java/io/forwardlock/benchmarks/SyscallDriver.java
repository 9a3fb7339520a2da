package io.forwardlock.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.NativeFSLockFactory;

/**
 * Runs a number of uncontended acquire+release cycles of one lock, or of
 * {@code ensureHeld()} on one held lease, for {@code benchmarks/syscalls.sh}, which
 * counts the system calls of this process with {@code strace -f -c}. Every variant first
 * does the same set-up (directory, backend, one warm-up cycle), so that a run with zero
 * cycles is the baseline to subtract.
 * <p>
 * Usage:
 * {@code SyscallDriver forward|forward-heartbeat|lucene|ensure-held CYCLES DIRECTORY}
 */
public final class SyscallDriver {

	private SyscallDriver() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length != 3) {
			System.err.println("usage: SyscallDriver forward|forward-heartbeat|lucene|ensure-held CYCLES DIRECTORY");
			System.exit(2);
		}
		String variant = args[0];
		int cycles = Integer.parseInt(args[1]);
		Path directory = Files.createDirectories(Path.of(args[2]));
		switch (variant) {
			case "forward" -> forward(directory, cycles, LockRequest.named("forward-lock").build());
			case "forward-heartbeat" -> forward(directory, cycles,
					LockRequest.named("forward-lock")
						.heartbeat(Duration.ofSeconds(30), Duration.ofSeconds(60))
						.build());
			case "lucene" -> lucene(directory, cycles);
			case "ensure-held" -> ensureHeld(directory, cycles);
			default -> {
				System.err.println("unknown variant " + variant);
				System.exit(2);
			}
		}
	}

	private static void forward(Path directory, int cycles, LockRequest request) {
		FileLockBackend backend = new FileLockBackend(directory);
		// warm-up: class loading and the one-time checks belong to the baseline
		FileLocks.acquire(backend, request).release();
		for (int i = 0; i < cycles; i++) {
			LockLease lease = FileLocks.acquire(backend, request);
			lease.release();
		}
	}

	private static void lucene(Path directory, int cycles) throws Exception {
		try (FSDirectory lucene = FSDirectory.open(directory)) {
			NativeFSLockFactory.INSTANCE.obtainLock(lucene, "lucene.lock").close();
			for (int i = 0; i < cycles; i++) {
				Lock lock = NativeFSLockFactory.INSTANCE.obtainLock(lucene, "lucene.lock");
				lock.close();
			}
		}
	}

	private static void ensureHeld(Path directory, int cycles) {
		FileLockBackend backend = new FileLockBackend(directory);
		try (LockLease lease = FileLocks.acquire(backend, LockRequest.named("ensure-held").build())) {
			lease.ensureHeld();
			for (int i = 0; i < cycles; i++) {
				lease.ensureHeld();
			}
		}
	}

}
