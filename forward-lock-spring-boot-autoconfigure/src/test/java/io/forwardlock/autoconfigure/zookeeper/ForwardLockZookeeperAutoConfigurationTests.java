package io.forwardlock.autoconfigure.zookeeper;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.forwardlock.autoconfigure.ForwardLockAutoConfiguration;
import io.forwardlock.lifecycle.ForwardLockLifecycle;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.zookeeper.ZookeeperLockBackend;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardLockZookeeperAutoConfiguration}, against a real ZooKeeper
 * server in this JVM.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(OutputCaptureExtension.class)
class ForwardLockZookeeperAutoConfigurationTests {

	private static TestingServer server;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(ForwardLockZookeeperAutoConfiguration.class, ForwardLockAutoConfiguration.class))
		.withPropertyValues("forward.lock.verify-interval=1h", "forward.lock.name=zk-auto");

	@BeforeAll
	static void startServer() throws Exception {
		server = new TestingServer();
	}

	@AfterAll
	static void stopServer() throws Exception {
		if (server != null) {
			server.close();
		}
	}

	@Test
	void definesTheFactoryButNeverConnectsWhenTheBackendIsNotZookeeper(@TempDir Path dir) {
		this.contextRunner.withPropertyValues("forward.lock.dir=" + dir, "forward.lock.zookeeper.connect-string=")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(ZookeeperLockBackendFactory.class);
				assertThat(context).doesNotHaveBean(ZookeeperLockBackend.class);
				assertThat(context.getBean(LockBackend.class).id()).isEqualTo("file");
			});
	}

	@Test
	void backsOffWithoutCurator() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ForwardLockZookeeperAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(CuratorFramework.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ZookeeperLockBackendFactory.class));
	}

	@Test
	void backsOffWithoutTheZookeeperModule() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ForwardLockZookeeperAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(ZookeeperLockBackend.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ZookeeperLockBackendFactory.class));
	}

	@Test
	void selectedBackendConnectsToTheConfiguredEnsembleAndHoldsTheLock() {
		this.contextRunner
			.withPropertyValues("forward.lock.backend=zookeeper",
					"forward.lock.zookeeper.connect-string=" + server.getConnectString(),
					"forward.lock.zookeeper.base-path=/apps/locks", "forward.lock.zookeeper.session-timeout=5s")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(ZookeeperLockBackend.class);
				ZookeeperLockBackend backend = context.getBean(ZookeeperLockBackend.class);
				assertThat(backend.getBasePath()).isEqualTo("/apps/locks");
				context.getBean(ForwardLockLifecycle.class).start();
				assertThat(backend.getClient().checkExists().forPath("/apps/locks/zk-auto")).isNotNull();
				assertThat(backend.inspect(context.getBean(io.forwardlock.lock.LockRequest.class)))
					.hasValueSatisfying((holder) -> assertThat(holder.pid()).isEqualTo(ProcessHandle.current().pid()));
			});
	}

	@Test
	void usesTheApplicationsCuratorFrameworkAndLeavesItOpen(CapturedOutput output) {
		this.contextRunner.withUserConfiguration(CuratorConfiguration.class)
			.withPropertyValues("forward.lock.backend=zookeeper")
			.run((context) -> {
				// started before the lock, so the first acquisition waits, and the log
				// says
				// what avoids that
				assertThat(output).contains("its first acquisition waits about 3/10 of the session timeout")
					.contains("Set forward.lock.zookeeper.connect-string");
				ZookeeperLockBackend backend = context.getBean(ZookeeperLockBackend.class);
				assertThat(backend.getClient()).isSameAs(context.getBean(CuratorFramework.class));
				context.getBean(ForwardLockLifecycle.class).start();
				assertThat(backend.getClient().checkExists().forPath("/forward-lock/zk-auto")).isNotNull();
				backend.close();
				assertThat(backend.getClient().getZookeeperClient().isConnected()).isTrue();
			});
	}

	@Test
	void connectStringGivesTheLockAClientOfItsOwnBesideTheApplicationsCuratorFramework(CapturedOutput output) {
		this.contextRunner.withUserConfiguration(CuratorConfiguration.class)
			.withPropertyValues("forward.lock.backend=zookeeper",
					"forward.lock.zookeeper.connect-string=" + server.getConnectString(),
					"forward.lock.zookeeper.session-timeout=4s")
			.run((context) -> {
				CuratorFramework application = context.getBean(CuratorFramework.class);
				ZookeeperLockBackend backend = context.getBean(ZookeeperLockBackend.class);
				assertThat(backend.getClient()).isNotSameAs(application);
				assertThat(output).doesNotContain("first acquisition waits");
				context.getBean(ForwardLockLifecycle.class).start();
				long lockSession = backend.getClient()
					.checkExists()
					.forPath("/forward-lock/zk-auto")
					.getEphemeralOwner();
				assertThat(lockSession)
					.isEqualTo(backend.getClient().getZookeeperClient().getZooKeeper().getSessionId())
					.isNotEqualTo(application.getZookeeperClient().getZooKeeper().getSessionId());
				// the backend's own client ends with it; the application's stays open
				context.getBean(ForwardLockLifecycle.class).stop();
				backend.close();
				assertThat(backend.getClient().getState()).isEqualTo(CuratorFrameworkState.STOPPED);
				assertThat(application.getZookeeperClient().isConnected()).isTrue();
			});
	}

	@Test
	void failsWithHelpWhenThereIsNoConnectString() {
		this.contextRunner.withPropertyValues("forward.lock.backend=zookeeper")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOfSatisfying(LockException.class, (ex) -> {
					assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE);
					assertThat(ex.getMessage()).contains("forward.lock.zookeeper.connect-string")
						.contains("CuratorFramework bean")
						.contains("forward.lock.backend=file");
				}));
	}

	@Test
	void failsWithHelpWhenTheBasePathIsInvalid() {
		this.contextRunner
			.withPropertyValues("forward.lock.backend=zookeeper",
					"forward.lock.zookeeper.connect-string=" + server.getConnectString(),
					"forward.lock.zookeeper.base-path=locks/")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOfSatisfying(LockException.class,
						(ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.INVALID_CONFIGURATION))
				.hasMessageContaining("forward.lock.zookeeper.base-path")
				.hasMessageContaining("/forward-lock"));
	}

	@Test
	void unreachableEnsembleAtStartUpNamesTheConnectStringAndTheProperties() throws Exception {
		int port = unusedPort();
		this.contextRunner
			.withPropertyValues("forward.lock.backend=zookeeper",
					"forward.lock.zookeeper.connect-string=127.0.0.1:" + port,
					"forward.lock.zookeeper.connection-timeout=500ms")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOfSatisfying(LockException.class, (ex) -> {
					assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE);
					assertThat(ex.getMessage()).contains("127.0.0.1:" + port)
						.contains("forward.lock.zookeeper.connect-string")
						.contains("forward.lock.zookeeper.connection-timeout (now PT0.5S)");
				}));
	}

	@Test
	void unreachableEnsembleOfTheApplicationsClientOffersAClientOfTheLocksOwn() throws Exception {
		int port = unusedPort();
		String connectString = "127.0.0.1:" + port;
		this.contextRunner
			.withBean(CuratorFramework.class,
					() -> CuratorFrameworkFactory.builder()
						.connectString(connectString)
						.connectionTimeoutMs(500)
						.retryPolicy(new RetryOneTime(100))
						.build(),
					(definition) -> definition.setDestroyMethodName("close"))
			.withPropertyValues("forward.lock.backend=zookeeper")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOfSatisfying(LockException.class, (ex) -> {
					assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE);
					assertThat(ex.getMessage()).contains(connectString)
						.contains("the application's CuratorFramework bean")
						.contains("Or give the lock a client of its own: forward.lock.zookeeper.connect-string=")
						.doesNotContain("forward.lock.zookeeper.connection-timeout");
				}));
	}

	private static int unusedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class CuratorConfiguration {

		@Bean(initMethod = "start", destroyMethod = "close")
		CuratorFramework curatorFramework() {
			return CuratorFrameworkFactory.builder()
				.connectString(server.getConnectString())
				.sessionTimeoutMs((int) Duration.ofSeconds(5).toMillis())
				.retryPolicy(new RetryOneTime(100))
				.build();
		}

	}

}
