package io.forwardlock.sample;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the sample application's jar on the ZooKeeper backend against a real ZooKeeper
 * server, started with the command line arguments the docs give.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SampleAppZookeeperProcessIT {

	private static TestingServer server;

	private static CuratorFramework observer;

	@TempDir
	Path dir;

	@BeforeAll
	static void startServer() throws Exception {
		// A short tick, so that the short session timeout below is granted
		File data = Files.createTempDirectory("sample-zk").toFile();
		server = new TestingServer(new InstanceSpec(data, -1, -1, -1, true, -1, 250, -1), true);
		observer = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100));
		observer.start();
	}

	@AfterAll
	static void stopServer() throws Exception {
		if (observer != null) {
			observer.close();
		}
		if (server != null) {
			server.close();
		}
	}

	@Test
	void instancesShareTheLockThroughZookeeperAndAStandbyTakesOverAfterACrash() throws Exception {
		String[] zookeeper = { "--forward.lock.backend=zookeeper",
				"--forward.lock.zookeeper.connect-string=" + server.getConnectString(),
				"--forward.lock.zookeeper.session-timeout=4s" };
		SampleLedger ledger = new SampleLedger(this.dir.resolve("ledger.txt"));
		Map<String, String> environment = Map.of("SAMPLE_LEDGER_FILE", ledger.file().toString());
		String location = "ZooKeeper " + server.getConnectString() + ", node /forward-lock/forward-mcp";
		try (SampleAppProcess first = SampleAppProcess.start(environment, zookeeper).awaitStarted()) {
			assertThat(first.output())
				.contains("Acquired lock 'forward-mcp' at " + location + " (backend zookeeper, PID " + first.pid());
			Stat firstNode = new Stat();
			String data = new String(observer.getData().storingStatIn(firstNode).forPath("/forward-lock/forward-mcp"),
					StandardCharsets.UTF_8);
			assertThat(data).contains("pid=" + first.pid());
			try (SampleAppProcess refused = SampleAppProcess.start(environment, zookeeper);
					SampleAppProcess standby = SampleAppProcess.start(environment,
							SampleAppProcess.withArgs(zookeeper, "--forward.lock.standby=true"))) {
				assertThat(refused.awaitRefusalBy(first)).contains("Holder: PID " + first.pid() + " on ")
					.contains("Lock:   " + location)
					.contains("session expires")
					.contains("forward.lock.zookeeper.session-timeout")
					.doesNotContain("lock file");
				standby.awaitStandby();
				ledger.awaitTicksOf(first.pid(), 1);
				// A crash deletes nothing: the standby takes over when the ensemble
				// expires the holder's session
				first.crash();
				standby.awaitStarted();
				ledger.awaitTicksOf(standby.pid(), 1);
				ledger.assertNoTickOfAfterFirstOf(first.pid(), standby.pid());
				ledger.assertFencingTokensNeverDecrease();
				Stat standbyNode = new Stat();
				String standbyData = new String(
						observer.getData().storingStatIn(standbyNode).forPath("/forward-lock/forward-mcp"),
						StandardCharsets.UTF_8);
				assertThat(standbyData).contains("pid=" + standby.pid());
				assertThat(standbyNode.getCzxid()).isGreaterThan(firstNode.getCzxid());
				standby.stop();
				assertThat(standby.output()).contains("Released lock 'forward-mcp'");
				assertThat(observer.checkExists().forPath("/forward-lock/forward-mcp")).isNull();
			}
		}
	}

}
