package io.forwardlock.lock.kubernetes;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.fabric8.kubernetes.client.KubernetesClient;

import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.testsupport.OverlapJournal;

/**
 * Child JVM that uses {@link KubernetesLeaseBackend} against a mock API server (its URL
 * as {@code <url>}), or the real cluster of the opt-in tests ({@code cluster}). Modes:
 * <ul>
 * <li>{@code hold <url> <name> <leaseMillis>}: prints {@code READY}, then on the line
 * {@code acquire} answers {@code ACQUIRED <token>} or {@code BUSY} and renews the lease
 * every quarter lease until it is killed.</li>
 * <li>{@code race <url> <name> <leaseMillis> <rounds> <journal>}: once it reads a line,
 * acquires the lock {@code rounds} times, each time journaling {@code ENTER} and
 * {@code EXIT} with its PID and fencing token while holding it, then prints
 * {@code DONE <attempts>}. Prints {@code READY} first.</li>
 * </ul>
 */
public final class KubernetesLeaseChildProcess {

	private KubernetesLeaseChildProcess() {
	}

	public static void main(String[] args) throws Exception {
		Duration lease = Duration.ofMillis(Long.parseLong(args[3]));
		try (KubernetesClient client = KubernetesLeaseClients.create(RealCluster.configFor(args[1], lease))) {
			KubernetesLeaseBackend backend = new KubernetesLeaseBackend(client, RealCluster.namespaceFor(args[1]));
			LockRequest request = LockRequest.named(args[2])
				.applicationName("child-" + ProcessHandle.current().pid())
				.heartbeat(lease.dividedBy(4), lease)
				.build();
			if (args[0].equals("race")) {
				race(backend, request, Integer.parseInt(args[4]), new OverlapJournal(Path.of(args[5])));
			}
			else {
				hold(backend, request);
			}
		}
	}

	private static void hold(KubernetesLeaseBackend backend, LockRequest request) throws Exception {
		ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
		System.out.println("READY " + ProcessHandle.current().pid());
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String command;
		while ((command = in.readLine()) != null) {
			if (command.trim().equals("acquire")) {
				try {
					Optional<LockLease> lease = backend.tryAcquire(request);
					lease.ifPresent((held) -> heartbeat.scheduleWithFixedDelay(() -> beat(held), 0,
							request.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS));
					System.out
						.println(lease.map((held) -> "ACQUIRED " + held.fencingToken().getAsLong()).orElse("BUSY"));
				}
				catch (LockException ex) {
					System.out.println("ERROR " + ex.getType() + " " + ex.getSummary());
				}
				System.out.flush();
			}
		}
	}

	private static void beat(LockLease lease) {
		try {
			lease.heartbeat();
		}
		catch (LockException ex) {
			System.out.println("HEARTBEAT " + ex.getType());
		}
	}

	private static void race(KubernetesLeaseBackend backend, LockRequest request, int rounds, OverlapJournal journal)
			throws Exception {
		String pid = Long.toString(ProcessHandle.current().pid());
		System.out.println("READY " + pid);
		// Start together with the other children, so that they really race.
		new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
		int attempts = 0;
		for (int round = 0; round < rounds;) {
			attempts++;
			Optional<LockLease> lease = backend.tryAcquire(request);
			if (lease.isEmpty()) {
				LockSupport.parkNanos(1_000_000);
				continue;
			}
			try {
				journal.enter(pid, lease.get().fencingToken());
				// Hold the lock a little, so that contenders pile up against it.
				Thread.sleep(2);
				journal.exit(pid, lease.get().fencingToken());
			}
			finally {
				lease.get().release();
			}
			round++;
		}
		System.out.println("DONE " + attempts);
	}

}
