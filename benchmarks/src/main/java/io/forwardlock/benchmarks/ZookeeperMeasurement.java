package io.forwardlock.benchmarks;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

import org.springframework.integration.zookeeper.lock.ZookeeperLockRegistry;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.zookeeper.ZookeeperLockBackend;

/**
 * ZooKeeper lock costs of forward-lock next to Spring Integration's
 * {@link ZookeeperLockRegistry}, on one real ZooKeeper server (Curator's
 * {@link TestingServer}, in this JVM, loopback) and the same client settings:
 * <ul>
 * <li>{@code acquire-release}: one uncontended acquire and release, in microseconds
 * (mean, p50, p99 over the measured iterations, after a warm-up);</li>
 * <li>{@code takeover-graceful}: a holder in a child JVM releases; time from just before
 * its release call until a standby in this JVM, already waiting, holds the lock;</li>
 * <li>{@code takeover-kill}: the holder is killed with SIGKILL; time from the kill until
 * the standby holds the lock (bounded by the session timeout).</li>
 * </ul>
 * Both sides of a takeover use {@link System#nanoTime()}, which on Linux is the same
 * monotonic clock in every process.
 * <p>
 * Run: {@code java -cp benchmarks/target/benchmarks.jar
 * io.forwardlock.benchmarks.ZookeeperMeasurement [runs] [iterations] [session-timeout]
 * [all|acquire-release|takeover]} (defaults 5, 2000, {@code PT4S}, all). Prints CSV lines
 * {@code <what>,<impl>,<run>,<ms>} and summary lines on standard output.
 */
public final class ZookeeperMeasurement {

	private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);

	private final String connectString;

	private final Duration session;

	private final CuratorFramework client;

	private final ExecutorService standby = Executors.newSingleThreadExecutor();

	private ZookeeperMeasurement(String connectString, Duration session) {
		this.connectString = connectString;
		this.session = session;
		this.client = ZookeeperLockBackend.newClient(connectString, session, Duration.ofSeconds(30));
		this.client.start();
	}

	public static void main(String[] args) throws Exception {
		int runs = (args.length > 0) ? Integer.parseInt(args[0]) : 5;
		int iterations = (args.length > 1) ? Integer.parseInt(args[1]) : 2000;
		Duration session = Duration.parse((args.length > 2) ? args[2] : "PT4S");
		String only = (args.length > 3) ? args[3] : "all";
		File data = Files.createTempDirectory("zk-measure").toFile();
		// a 200 ms tick, so that the ensemble grants session timeouts from 0.4 s to 4 s
		try (TestingServer server = new TestingServer(new InstanceSpec(data, -1, -1, -1, true, -1, 200, -1), true)) {
			ZookeeperMeasurement measurement = new ZookeeperMeasurement(server.getConnectString(), session);
			try {
				if (!only.equals("takeover")) {
					measurement.acquireRelease(iterations);
				}
				for (String mode : only.equals("acquire-release") ? List.<String>of() : List.of("graceful", "kill")) {
					for (String impl : List.of("forward-lock", "spring-integration")) {
						double[] millis = new double[runs];
						for (int run = 0; run < runs; run++) {
							millis[run] = measurement.takeover(impl, mode, "takeover-" + mode + "-" + impl + "-" + run);
							System.out.printf("takeover-%s,%s,%d,%.1f%n", mode, impl, run + 1, millis[run]);
						}
						Arrays.sort(millis);
						System.out.printf("SUMMARY takeover-%s %s: median %.1f ms, min %.1f, max %.1f (%d runs)%n",
								mode, impl, millis[runs / 2], millis[0], millis[runs - 1], runs);
					}
				}
			}
			finally {
				measurement.standby.shutdownNow();
				measurement.client.close();
			}
		}
	}

	/**
	 * Measure both implementations in alternating blocks, so that load from other
	 * processes falls on both alike.
	 */
	private void acquireRelease(int iterations) throws Exception {
		List<String> impls = List.of("forward-lock", "spring-integration");
		Map<String, Callable<Void>> operations = new LinkedHashMap<>();
		for (String impl : impls) {
			operations.put(impl, acquireReleaseOnce(impl));
		}
		for (Callable<Void> once : operations.values()) {
			for (int i = 0; i < Math.max(200, iterations / 4); i++) {
				once.call();
			}
		}
		int blocks = 10;
		Map<String, long[]> samples = new LinkedHashMap<>();
		impls.forEach((impl) -> samples.put(impl, new long[iterations]));
		for (int block = 0; block < blocks; block++) {
			for (String impl : impls) {
				Callable<Void> once = operations.get(impl);
				long[] nanos = samples.get(impl);
				for (int i = block * iterations / blocks; i < (block + 1) * iterations / blocks; i++) {
					long start = System.nanoTime();
					once.call();
					nanos[i] = System.nanoTime() - start;
				}
			}
		}
		for (String impl : impls) {
			long[] nanos = samples.get(impl);
			Arrays.sort(nanos);
			double mean = Arrays.stream(nanos).average().orElse(0) / 1000.0;
			System.out.printf(
					"SUMMARY acquire-release %s: mean %.0f us, p50 %.0f us, p90 %.0f us, p99 %.0f us, max %.0f us "
							+ "(%d iterations in %d alternating blocks)%n",
					impl, mean, nanos[iterations / 2] / 1000.0, nanos[(int) (iterations * 0.9)] / 1000.0,
					nanos[(int) (iterations * 0.99)] / 1000.0, nanos[iterations - 1] / 1000.0, iterations, blocks);
		}
	}

	private Callable<Void> acquireReleaseOnce(String impl) {
		if (impl.equals("forward-lock")) {
			ZookeeperLockBackend backend = new ZookeeperLockBackend(this.client);
			LockRequest request = LockRequest.named("acquire-release-forward-lock").build();
			return () -> {
				backend.tryAcquire(request).orElseThrow().release();
				return null;
			};
		}
		ZookeeperLockRegistry registry = new ZookeeperLockRegistry(this.client);
		return () -> {
			Lock lock = registry.obtain("acquire-release-spring-integration");
			if (!lock.tryLock()) {
				throw new IllegalStateException("lock is held");
			}
			lock.unlock();
			return null;
		};
	}

	private double takeover(String impl, String mode, String lockName) throws Exception {
		String java = ProcessHandle.current().info().command().orElse("java");
		Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
				ZookeeperLockHolder.class.getName(), impl, this.connectString, lockName,
				Long.toString(this.session.toMillis()))
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
		try {
			BufferedReader out = new BufferedReader(
					new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
			expect(out, "HELD");
			Future<Long> acquired = this.standby.submit(standby(impl, lockName));
			// let the standby reach its wait (watch set), and forward-lock's standby
			// prove
			// that the leader counts its session (3T/10 and a probe period, T/16), before
			// the holder goes: a lease is then handed out without waiting for that proof
			Thread.sleep(500 + this.session.toMillis() * 3 / 10 + this.session.toMillis() / 8);
			long from;
			if (mode.equals("kill")) {
				from = System.nanoTime();
				holder.destroyForcibly();
			}
			else {
				Writer in = new OutputStreamWriter(holder.getOutputStream(), StandardCharsets.UTF_8);
				in.write("release\n");
				in.flush();
				from = Long.parseLong(expect(out, "RELEASING").substring(10).trim());
			}
			return (acquired.get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) - from) / 1_000_000.0;
		}
		finally {
			holder.destroyForcibly();
			holder.waitFor(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	private Callable<Long> standby(String impl, String lockName) {
		if (impl.equals("forward-lock")) {
			ZookeeperLockBackend backend = new ZookeeperLockBackend(this.client);
			return () -> {
				LockLease lease = backend.acquireBlocking(LockRequest.named(lockName).build(), Duration.ofSeconds(1));
				long at = System.nanoTime();
				lease.release();
				return at;
			};
		}
		ZookeeperLockRegistry registry = new ZookeeperLockRegistry(this.client);
		return () -> {
			Lock lock = registry.obtain(lockName);
			lock.lock();
			long at = System.nanoTime();
			lock.unlock();
			return at;
		};
	}

	private static String expect(BufferedReader out, String prefix) throws IOException {
		String line;
		while ((line = out.readLine()) != null) {
			if (line.startsWith(prefix)) {
				return line;
			}
		}
		throw new IllegalStateException("holder exited without printing " + prefix);
	}

}
