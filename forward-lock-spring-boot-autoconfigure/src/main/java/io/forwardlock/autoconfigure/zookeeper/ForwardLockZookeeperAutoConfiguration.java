package io.forwardlock.autoconfigure.zookeeper;

import org.apache.curator.framework.CuratorFramework;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import io.forwardlock.autoconfigure.ForwardLockAutoConfiguration;
import io.forwardlock.autoconfigure.LockBackendFactory;
import io.forwardlock.lock.zookeeper.ZookeeperLockBackend;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of the ZooKeeper lock backend's {@link LockBackendFactory}, used
 * with {@code forward.lock.backend=zookeeper}: the lock is an ephemeral node in the
 * ensemble, held as long as this instance's session. The backend builds a client of its
 * own from {@code forward.lock.zookeeper.*} when a connect string is set; otherwise it
 * uses the application's {@link CuratorFramework} bean.
 * <p>
 * The factory is defined whichever backend is selected, so that the choice is made when
 * the application runs; it connects only when the ZooKeeper backend is selected.
 */
@AutoConfiguration(before = ForwardLockAutoConfiguration.class)
@ConditionalOnClass({ ZookeeperLockBackend.class, CuratorFramework.class })
@EnableConfigurationProperties(ForwardLockZookeeperProperties.class)
public final class ForwardLockZookeeperAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "forwardLockZookeeperBackendFactory")
	ZookeeperLockBackendFactory forwardLockZookeeperBackendFactory(ObjectProvider<CuratorFramework> client,
			ForwardLockZookeeperProperties properties) {
		return new ZookeeperLockBackendFactory(client, properties);
	}

}
