package io.forwardlock.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.Lock;

import org.apache.curator.framework.CuratorFramework;

import org.springframework.integration.zookeeper.lock.ZookeeperLockRegistry;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.zookeeper.ZookeeperLockBackend;

/**
 * Child JVM of {@link ZookeeperMeasurement} that holds a ZooKeeper lock with forward-lock
 * or with Spring Integration's {@link ZookeeperLockRegistry}, in a session of its own.
 * Prints {@code HELD}, then on the line {@code release} prints
 * {@code RELEASING <nanoTime>} taken just before it releases, and exits.
 * <p>
 * Arguments: {@code forward-lock|spring-integration}, connect string, lock name, session
 * timeout in milliseconds.
 */
public final class ZookeeperLockHolder {

	private ZookeeperLockHolder() {
	}

	public static void main(String[] args) throws Exception {
		Duration session = Duration.ofMillis(Long.parseLong(args[3]));
		try (CuratorFramework client = ZookeeperLockBackend.newClient(args[1], session, Duration.ofSeconds(30))) {
			client.start();
			Runnable release;
			if (args[0].equals("forward-lock")) {
				LockLease lease = new ZookeeperLockBackend(client).tryAcquire(LockRequest.named(args[2]).build())
					.orElseThrow(() -> new IllegalStateException("lock is held"));
				release = lease::release;
			}
			else {
				Lock lock = new ZookeeperLockRegistry(client).obtain(args[2]);
				if (!lock.tryLock()) {
					throw new IllegalStateException("lock is held");
				}
				release = lock::unlock;
			}
			System.out.println("HELD");
			System.out.flush();
			BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
			String line;
			while ((line = in.readLine()) != null) {
				if (line.trim().equals("release")) {
					long at = System.nanoTime();
					release.run();
					System.out.println("RELEASING " + at);
					System.out.flush();
					return;
				}
			}
		}
	}

}
