package io.forwardlock.lock.kubernetes;

import java.io.IOException;
import java.io.InputStream;

/**
 * fabric8's mock API server (CRUD mode, free loopback port) in a JVM of its own, for the
 * process tests of other modules: prints {@code READY <url>}, then serves until its
 * standard input closes. Its class path is written to
 * {@code target/mock-api-server.classpath} by the build.
 */
public final class MockApiServerProcess {

	private MockApiServerProcess() {
	}

	public static void main(String[] args) throws IOException {
		try (MockApiServer server = MockApiServer.start()) {
			System.out.println("READY " + server.url());
			System.out.flush();
			InputStream in = System.in;
			while (in.read() >= 0) {
				// serve until the parent closes the pipe or goes away
			}
		}
		System.exit(0);
	}

}
