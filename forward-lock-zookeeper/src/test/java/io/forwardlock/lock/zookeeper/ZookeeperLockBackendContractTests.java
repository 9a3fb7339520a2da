package io.forwardlock.lock.zookeeper;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockBackendContractTests;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.testsupport.ChildJvm;

/**
 * The backend contract against a real ZooKeeper server. Every backend of a test has a
 * client, and so a session, of its own, as separate processes would; the external holder
 * is a child JVM, which vanishes by SIGKILL and so keeps the lock until its session
 * expires.
 */
class ZookeeperLockBackendContractTests extends LockBackendContractTests {

	private static ZookeeperTestServer zookeeper;

	@TempDir
	Path directory;

	@BeforeAll
	static void startServer() throws Exception {
		zookeeper = ZookeeperTestServer.start();
	}

	@AfterAll
	static void stopServer() throws Exception {
		if (zookeeper != null) {
			zookeeper.close();
		}
	}

	@Override
	protected LockBackend createBackend() {
		return new ZookeeperLockBackend(zookeeper.newClient());
	}

	@Override
	protected ExternalHolder startExternalHolder(LockRequest request) throws Exception {
		return ExternalHolder.acquiredBy(ChildJvm.start(ZookeeperLockChildProcess.class, zookeeper.connectString(),
				request.name(), Long.toString(ZookeeperTestServer.SESSION_TIMEOUT.toMillis()),
				this.directory.resolve("journal").toString()));
	}

	/**
	 * An operator deletes the node by hand.
	 */
	@Override
	protected void breakLease(LockLease lease, LockRequest request) throws Exception {
		zookeeper.newClient().delete().forPath(((ZookeeperLockBackend) this.backend).nodePath(request));
	}

	@Override
	protected Duration takeoverTimeout() {
		return ZookeeperTestServer.SESSION_TIMEOUT.plusSeconds(1);
	}

	@Override
	protected boolean supportsFencingTokens() {
		return true;
	}

}
