package io.forwardlock.lock.zookeeper;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import org.apache.curator.test.TestingServer;

/**
 * Child JVM that runs a real ZooKeeper server on a free port, so that a test can stop and
 * restart it (same port, same data, so sessions can survive a short outage). Prints
 * {@code READY <connect string>}, then obeys {@code stop} ({@code STOPPED}) and
 * {@code restart} ({@code RESTARTED}) on standard input until it closes.
 */
public final class ZookeeperServerProcess {

	private ZookeeperServerProcess() {
	}

	public static void main(String[] args) throws Exception {
		try (TestingServer server = new TestingServer(ZookeeperTestServer.spec(), true)) {
			System.out.println("READY " + server.getConnectString());
			System.out.flush();
			BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
			String command;
			while ((command = in.readLine()) != null) {
				switch (command.trim()) {
					case "stop" -> {
						server.stop();
						System.out.println("STOPPED");
					}
					case "restart" -> {
						server.restart();
						System.out.println("RESTARTED");
					}
					default -> System.out.println("UNKNOWN " + command);
				}
				System.out.flush();
			}
		}
	}

}
