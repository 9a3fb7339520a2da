package io.forwardlock.lock.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

/**
 * The modes that the child JVMs of the lease backends' multi-process tests share, over
 * any {@link LockBackend}; each backend's child only builds its backend. Modes:
 * <ul>
 * <li>{@link #hold}: prints {@code READY <pid>}, then on each line {@code acquire}
 * answers {@code ACQUIRED <token>} or {@code BUSY} (or {@code ERROR <type> <summary>})
 * and renews an acquired lease every heartbeat interval until the process is killed,
 * printing {@code HEARTBEAT <type>} when a renewal fails.</li>
 * <li>{@link #race}: prints {@code READY <pid>}, and once it reads a line acquires the
 * lock a number of times, journaling {@code ENTER} and {@code EXIT} with its PID and
 * fencing token in an {@link OverlapJournal} while holding it, then prints
 * {@code DONE <attempts>}.</li>
 * </ul>
 */
public final class BackendChildProcess {

	private BackendChildProcess() {
	}

	/**
	 * Request of a child: the lock name, this process's PID in the application name, and
	 * a heartbeat every quarter of the lease.
	 * @param name the lock name
	 * @param lease the stale timeout
	 * @return the request
	 */
	public static LockRequest request(String name, Duration lease) {
		return LockRequest.named(name)
			.applicationName("child-" + ProcessHandle.current().pid())
			.heartbeat(lease.dividedBy(4), lease)
			.build();
	}

	/**
	 * Run the {@code hold} mode until standard input ends.
	 * @param backend the backend
	 * @param request the request
	 * @throws IOException when standard input cannot be read
	 */
	public static void hold(LockBackend backend, LockRequest request) throws IOException {
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

	/**
	 * Run the {@code race} mode: start when a line arrives, so that all children really
	 * race.
	 * @param backend the backend
	 * @param request the request
	 * @param rounds how many times to hold the lock
	 * @param journal where to journal each hold
	 * @param retryPause pause after finding the lock busy
	 * @throws Exception when the journal cannot be written or the backend fails
	 */
	public static void race(LockBackend backend, LockRequest request, int rounds, OverlapJournal journal,
			Duration retryPause) throws Exception {
		String pid = Long.toString(ProcessHandle.current().pid());
		System.out.println("READY " + pid);
		new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
		System.out.println("DONE " + rounds(backend, request, rounds, journal, retryPause));
	}

	/**
	 * Acquire and release the lock {@code rounds} times, journaling each hold.
	 * @param backend the backend
	 * @param request the request
	 * @param rounds how many times to hold the lock
	 * @param journal where to journal each hold
	 * @param retryPause pause after finding the lock busy
	 * @return how many attempts it took
	 * @throws Exception when the journal cannot be written or the backend fails
	 */
	public static int rounds(LockBackend backend, LockRequest request, int rounds, OverlapJournal journal,
			Duration retryPause) throws Exception {
		String pid = Long.toString(ProcessHandle.current().pid());
		int attempts = 0;
		for (int round = 0; round < rounds;) {
			attempts++;
			Optional<LockLease> lease = backend.tryAcquire(request);
			if (lease.isEmpty()) {
				LockSupport.parkNanos(retryPause.toNanos());
				continue;
			}
			try {
				journal.enter(pid, lease.get().fencingToken());
				// Hold the lock a little, so that contenders pile up against it.
				LockSupport.parkNanos(2_000_000);
				journal.exit(pid, lease.get().fencingToken());
			}
			finally {
				lease.get().release();
			}
			round++;
		}
		return attempts;
	}

}
