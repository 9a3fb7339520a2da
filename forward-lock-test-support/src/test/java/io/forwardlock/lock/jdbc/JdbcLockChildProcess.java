package io.forwardlock.lock.jdbc;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import com.mysql.cj.jdbc.MysqlDataSource;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

/**
 * Child JVM that uses {@link JdbcLockBackend} against a PostgreSQL, MariaDB or MySQL
 * server, chosen by the JDBC URL (which carries the user for the last two). Two modes:
 * <ul>
 * <li>{@code hold <url> <name> <leaseMillis>}: prints {@code READY}, then on the line
 * {@code acquire} answers {@code ACQUIRED <token>} or {@code BUSY} and renews the lease
 * every quarter lease until it is killed.</li>
 * <li>{@code race <url> <name> <leaseMillis> <rounds> <journal>}: acquires the lock
 * {@code rounds} times once it reads a line, each time appending
 * {@code ENTER <pid> <token>} and then {@code EXIT <pid> <token>} to the journal (opened
 * with {@code O_APPEND}, one write per line) while holding it, and prints
 * {@code DONE <attempts>}. Prints {@code READY} first.</li>
 * </ul>
 */
public final class JdbcLockChildProcess {

	private JdbcLockChildProcess() {
	}

	public static void main(String[] args) throws Exception {
		JdbcLockBackend backend = new JdbcLockBackend(dataSource(args[1]));
		Duration lease = Duration.ofMillis(Long.parseLong(args[3]));
		LockRequest request = LockRequest.named(args[2])
			.applicationName("child-" + ProcessHandle.current().pid())
			.heartbeat(lease.dividedBy(4), lease)
			.build();
		if (args[0].equals("race")) {
			race(backend, request, Integer.parseInt(args[4]), Path.of(args[5]));
		}
		else {
			hold(backend, request);
		}
	}

	private static DataSource dataSource(String url) throws Exception {
		if (url.startsWith("jdbc:mariadb:")) {
			return new MariaDbDataSource(url);
		}
		if (url.startsWith("jdbc:mysql:")) {
			MysqlDataSource dataSource = new MysqlDataSource();
			dataSource.setUrl(url);
			return dataSource;
		}
		PGSimpleDataSource dataSource = new PGSimpleDataSource();
		dataSource.setUrl(url);
		dataSource.setUser("postgres");
		return dataSource;
	}

	private static void hold(JdbcLockBackend backend, LockRequest request) throws Exception {
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

	private static void race(JdbcLockBackend backend, LockRequest request, int rounds, Path journal) throws Exception {
		long pid = ProcessHandle.current().pid();
		System.out.println("READY " + pid);
		// Start together with the other children, so that they really race.
		new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
		int attempts = 0;
		try (FileChannel out = FileChannel.open(journal, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
			for (int round = 0; round < rounds;) {
				attempts++;
				Optional<LockLease> lease = backend.tryAcquire(request);
				if (lease.isEmpty()) {
					LockSupport.parkNanos(200_000);
					continue;
				}
				long token = lease.get().fencingToken().getAsLong();
				try {
					out.write(
							ByteBuffer.wrap(("ENTER " + pid + " " + token + "\n").getBytes(StandardCharsets.US_ASCII)));
					// Hold the lock a little, so that contenders pile up against it.
					Thread.sleep(2);
					out.write(
							ByteBuffer.wrap(("EXIT " + pid + " " + token + "\n").getBytes(StandardCharsets.US_ASCII)));
				}
				finally {
					lease.get().release();
				}
				round++;
			}
		}
		System.out.println("DONE " + attempts);
	}

}
