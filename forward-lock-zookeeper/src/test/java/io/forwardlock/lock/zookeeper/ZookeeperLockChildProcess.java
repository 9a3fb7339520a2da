package io.forwardlock.lock.zookeeper;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import io.forwardlock.lock.testsupport.BackendChildProcess;
import io.forwardlock.lock.testsupport.OverlapJournal;

/**
 * Child JVM that drives a {@link ZookeeperLockBackend} of its own (its own session) by
 * commands on standard input, one per line, answering on standard output:
 * <ul>
 * <li>{@code acquire}: {@code ACQUIRED <token>} or {@code BUSY};</li>
 * <li>{@code block}: waits on standby, then {@code ACQUIRED <token> <nanoTime>}, the
 * monotonic time of the acquisition (comparable between processes of one host);</li>
 * <li>{@code verify}: {@code VERIFY <status> <detail>};</li>
 * <li>{@code work}: verifies, and only if the lock is held appends {@code ENTER} and
 * {@code EXIT} with its PID and token to the journal and prints {@code WORKED <token>};
 * otherwise prints {@code LOST <detail>};</li>
 * <li>{@code release}: {@code RELEASED};</li>
 * <li>{@code inspect}: {@code HOLDER <pid>} or {@code FREE};</li>
 * <li>{@code race <rounds>}: acquires and releases {@code rounds} times, journalling each
 * hold, then prints {@code DONE <attempts>}.</li>
 * </ul>
 * Arguments: connect string, lock name, session timeout in milliseconds, journal file.
 * Prints {@code READY <pid>} first, and {@code ERROR <type> <summary>} on a lock failure.
 */
public final class ZookeeperLockChildProcess {

	private ZookeeperLockChildProcess() {
	}

	public static void main(String[] args) throws Exception {
		String pid = Long.toString(ProcessHandle.current().pid());
		try (ZookeeperLockBackend backend = ZookeeperLockBackend.connect(args[0], "/forward-lock",
				Duration.ofMillis(Long.parseLong(args[2])), Duration.ofSeconds(20))) {
			LockRequest request = LockRequest.named(args[1]).applicationName("child-" + pid).build();
			OverlapJournal journal = new OverlapJournal(Path.of(args[3]));
			LockLease lease = null;
			System.out.println("READY " + pid);
			System.out.flush();
			BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
			String command;
			while ((command = in.readLine()) != null) {
				String[] words = command.trim().split(" ");
				try {
					switch (words[0]) {
						case "acquire" -> {
							Optional<LockLease> acquired = backend.tryAcquire(request);
							lease = acquired.orElse(lease);
							System.out.println(acquired.map((held) -> "ACQUIRED " + held.fencingToken().getAsLong())
								.orElse("BUSY"));
						}
						case "block" -> {
							lease = backend.acquireBlocking(request, Duration.ofMillis(50));
							long at = System.nanoTime();
							System.out.println("ACQUIRED " + lease.fencingToken().getAsLong() + " " + at);
						}
						case "verify" -> {
							Verification verification = lease.verify();
							System.out.println("VERIFY " + verification.status() + " " + verification.detail());
						}
						case "work" -> {
							Verification verification = lease.verify();
							if (verification.isHeld()) {
								journal.enter(pid, lease.fencingToken());
								journal.exit(pid, lease.fencingToken());
								System.out.println("WORKED " + lease.fencingToken().getAsLong());
							}
							else {
								System.out.println("LOST " + verification.detail());
							}
						}
						case "release" -> {
							lease.release();
							System.out.println("RELEASED");
						}
						case "inspect" -> System.out
							.println(backend.inspect(request).map((holder) -> "HOLDER " + holder.pid()).orElse("FREE"));
						case "race" -> System.out.println("DONE " + BackendChildProcess.rounds(backend, request,
								Integer.parseInt(words[1]), journal, Duration.ofMillis(1)));
						default -> System.out.println("UNKNOWN " + command);
					}
				}
				catch (LockException ex) {
					System.out.println("ERROR " + ex.getType() + " " + ex.getSummary());
				}
				System.out.flush();
			}
		}
	}

}
