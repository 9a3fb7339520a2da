package io.forwardlock.autoconfigure.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;

import io.forwardlock.autoconfigure.ForwardLockAutoConfiguration;
import io.forwardlock.autoconfigure.LockBackendFactory;
import io.forwardlock.lock.kubernetes.KubernetesLeaseBackend;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of the Kubernetes Lease backend's {@link LockBackendFactory}, used
 * with {@code forward.lock.backend=kubernetes} when {@code forward-lock-kubernetes} is on
 * the class path.
 * <p>
 * The factory is defined whichever backend is selected, so that the choice is made when
 * the application runs, also with Spring AOT; it looks for a cluster only when the
 * Kubernetes backend is selected.
 */
@AutoConfiguration(before = ForwardLockAutoConfiguration.class)
@ConditionalOnClass({ KubernetesLeaseBackend.class, KubernetesClient.class })
@EnableConfigurationProperties(ForwardLockKubernetesProperties.class)
public final class ForwardLockKubernetesAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "forwardLockKubernetesBackendFactory")
	KubernetesLockBackendFactory forwardLockKubernetesBackendFactory(ForwardLockKubernetesProperties properties,
			Environment environment) {
		return new KubernetesLockBackendFactory(properties, environment);
	}

}
