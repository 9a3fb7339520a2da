package io.forwardlock.autoconfigure.kubernetes;

import java.time.Clock;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;

import io.forwardlock.autoconfigure.ForwardLockProperties.Backend;
import io.forwardlock.autoconfigure.LockBackendFactory;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.kubernetes.KubernetesLeaseBackend;
import io.forwardlock.lock.kubernetes.KubernetesLeaseClients;

import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * {@link LockBackendFactory} for {@code forward.lock.backend=kubernetes}: a
 * {@code coordination.k8s.io/v1} Lease. The client is configured when the backend is
 * created, that is only when this backend is selected, as the fabric8 client configures
 * itself, with timeouts that fit the lease; a {@code kubernetes.master} property of the
 * application (such as {@code --kubernetes.master=https://host:6443}) overrides the API
 * server it finds.
 */
final class KubernetesLockBackendFactory implements LockBackendFactory {

	static final String MASTER_PROPERTY = "kubernetes.master";

	private final ForwardLockKubernetesProperties properties;

	private final Environment environment;

	KubernetesLockBackendFactory(ForwardLockKubernetesProperties properties, Environment environment) {
		this.properties = properties;
		this.environment = environment;
	}

	@Override
	public Backend backend() {
		return Backend.KUBERNETES;
	}

	@Override
	public KubernetesLeaseBackend createBackend(LockRequest request) {
		Config config = KubernetesLeaseClients.autoConfigure(request.staleTimeout());
		String master = this.environment.getProperty(MASTER_PROPERTY);
		if (StringUtils.hasText(master) && !master.equals(config.getMasterUrl())) {
			config = new ConfigBuilder(config).withMasterUrl(master.trim()).build();
		}
		String namespace = StringUtils.hasText(this.properties.getNamespace()) ? this.properties.getNamespace().trim()
				: KubernetesLeaseClients.namespace(config);
		String identity = StringUtils.hasText(this.properties.getIdentity()) ? this.properties.getIdentity().trim()
				: KubernetesLeaseBackend.defaultIdentity();
		String leaseName = StringUtils.hasText(this.properties.getLeaseName()) ? this.properties.getLeaseName().trim()
				: null;
		return new KubernetesLeaseBackend(KubernetesLeaseClients.create(config), namespace, leaseName, identity,
				Clock.systemUTC())
			.closingClient();
	}

}
