package io.forwardlock.lock.file.testsupport;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;

/**
 * Child process that drives a {@link FileLockBackend} by commands on standard input, one
 * per line, answering on standard output:
 * <ul>
 * <li>{@code acquire}: {@code ACQUIRED} or {@code BUSY};</li>
 * <li>{@code block}: waits, then {@code ACQUIRED};</li>
 * <li>{@code verify}: {@code VERIFY <status>};</li>
 * <li>{@code token}: {@code TOKEN <fencing token>}, {@code -1} when the lease has
 * none;</li>
 * <li>{@code heartbeat}: {@code BEAT};</li>
 * <li>{@code release}: {@code RELEASED};</li>
 * <li>{@code inspect}: {@code HOLDER <pid>} or {@code FREE};</li>
 * <li>{@code poll <millis>}: tries to acquire until it succeeds or the time is up, then
 * prints {@code ACQUIRED} or {@code TIMEOUT};</li>
 * <li>{@code race <rounds> <log> <block|poll>}: acquires and releases {@code rounds}
 * times, appending {@code ENTER <pid>} and {@code EXIT <pid>} lines to the log with
 * {@code O_APPEND} while holding the lock, then prints {@code DONE}.</li>
 * </ul>
 * Arguments: directory, lock name, and optionally heartbeat interval and stale timeout in
 * milliseconds; with them, a held lease heartbeats on its own at that interval, until it
 * is released or the process is stopped. Prints {@code READY} first, and
 * {@code ERROR <type>} on a lock failure.
 */
public final class LockHolderProcess {

	private LockHolderProcess() {
	}

	private static void race(FileLockBackend backend, LockRequest request, int rounds, Path log, boolean block)
			throws Exception {
		byte[] enter = ("ENTER " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
		byte[] exit = ("EXIT " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
		for (int i = 0; i < rounds; i++) {
			LockLease lease;
			if (block) {
				lease = backend.acquireBlocking(request, Duration.ofMillis(5));
			}
			else {
				Optional<LockLease> acquired = backend.tryAcquire(request);
				while (acquired.isEmpty()) {
					Thread.onSpinWait();
					acquired = backend.tryAcquire(request);
				}
				lease = acquired.get();
			}
			try {
				Files.write(log, enter, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
				Thread.yield();
				Files.write(log, exit, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
			}
			finally {
				lease.release();
			}
		}
	}

	public static void main(String[] args) throws Exception {
		FileLockBackend backend = new FileLockBackend(Path.of(args[0]));
		LockRequest.Builder builder = LockRequest.named(args[1]);
		if (args.length > 3) {
			builder.heartbeat(Duration.ofMillis(Long.parseLong(args[2])), Duration.ofMillis(Long.parseLong(args[3])));
		}
		LockRequest request = builder.build();
		ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "heartbeat");
			thread.setDaemon(true);
			return thread;
		});
		LockLease lease = null;
		ScheduledFuture<?> beating = null;
		System.out.println("READY " + ProcessHandle.current().pid());
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String command;
		while ((command = in.readLine()) != null) {
			try {
				if (command.startsWith("race ")) {
					String[] words = command.split(" ");
					race(backend, request, Integer.parseInt(words[1]), Path.of(words[2]), words[3].equals("block"));
					System.out.println("DONE");
					System.out.flush();
					continue;
				}
				String[] words = command.trim().split(" ", 2);
				String argument = (words.length > 1) ? words[1] : "";
				LockLease before = lease;
				switch (words[0]) {
					case "acquire" -> {
						Optional<LockLease> acquired = backend.tryAcquire(request);
						lease = acquired.orElse(lease);
						System.out.println(acquired.isPresent() ? "ACQUIRED" : "BUSY");
					}
					case "poll" -> {
						long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(argument));
						Optional<LockLease> acquired = backend.tryAcquire(request);
						while (acquired.isEmpty() && System.nanoTime() < deadline) {
							Thread.sleep(20);
							acquired = backend.tryAcquire(request);
						}
						lease = acquired.orElse(lease);
						System.out.println(acquired.isPresent() ? "ACQUIRED" : "TIMEOUT");
					}
					case "block" -> {
						lease = backend.acquireBlocking(request, Duration.ofMillis(20));
						System.out.println("ACQUIRED");
					}
					case "verify" -> System.out.println("VERIFY " + lease.verify().status());
					case "token" -> System.out.println("TOKEN " + lease.fencingToken().orElse(-1));
					case "heartbeat" -> {
						lease.heartbeat();
						System.out.println("BEAT");
					}
					case "release" -> {
						if (beating != null) {
							beating.cancel(false);
						}
						lease.release();
						System.out.println("RELEASED");
					}
					case "inspect" -> System.out
						.println(backend.inspect(request).map((holder) -> "HOLDER " + holder.pid()).orElse("FREE"));
					case "exit" -> {
						return;
					}
					default -> System.out.println("UNKNOWN " + command);
				}
				if (lease != before && request.heartbeatEnabled()) {
					LockLease beater = lease;
					long interval = request.heartbeatInterval().toMillis();
					beating = heartbeats.scheduleWithFixedDelay(beater::heartbeat, interval, interval,
							TimeUnit.MILLISECONDS);
				}
			}
			catch (LockException ex) {
				System.out.println("ERROR " + ex.getType() + " " + ex.getSummary());
				ex.getHelp().forEach((line) -> System.out.println("HELP " + line));
				System.out.println("END");
			}
			System.out.flush();
		}
	}

}
