package io.forwardlock.autoconfigure.zookeeper;

import java.time.Duration;

import org.apache.curator.framework.CuratorFrameworkFactory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardLockZookeeperProperties}.
 */
class ForwardLockZookeeperPropertiesTests {

	@Test
	void defaultValuesMatchCuratorsDefaults() {
		ForwardLockZookeeperProperties properties = new ForwardLockZookeeperProperties();
		CuratorFrameworkFactory.Builder curator = CuratorFrameworkFactory.builder();
		assertThat(properties.getSessionTimeout()).isEqualTo(Duration.ofMillis(curator.getSessionTimeoutMs()));
		assertThat(properties.getConnectionTimeout()).isEqualTo(Duration.ofMillis(curator.getConnectionTimeoutMs()));
		assertThat(properties.getBasePath()).isEqualTo("/forward-lock");
		assertThat(properties.getConnectString()).isNull();
	}

}
