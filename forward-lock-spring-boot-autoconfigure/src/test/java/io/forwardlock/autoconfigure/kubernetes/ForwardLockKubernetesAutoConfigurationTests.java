package io.forwardlock.autoconfigure.kubernetes;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.forwardlock.autoconfigure.ForwardLockAutoConfiguration;
import io.forwardlock.autoconfigure.ForwardLockProperties.Backend;
import io.forwardlock.autoconfigure.LockBackendFactory;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.kubernetes.KubernetesLeaseBackend;
import io.forwardlock.lock.kubernetes.KubernetesLeaseClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardLockKubernetesAutoConfiguration}.
 */
class ForwardLockKubernetesAutoConfigurationTests {

	private static final LockRequest REQUEST = LockRequest.named("Orders_Job")
		.heartbeat(Duration.ofSeconds(5), Duration.ofSeconds(15))
		.build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ForwardLockKubernetesAutoConfiguration.class))
		// No cluster is contacted until a lease is asked for: any address will do.
		.withPropertyValues("kubernetes.master=http://127.0.0.1:1");

	@Test
	void contributesTheFactoryForTheKubernetesBackend() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(LockBackendFactory.class);
			assertThat(context.getBean(LockBackendFactory.class).backend()).isEqualTo(Backend.KUBERNETES);
			assertThat(context).doesNotHaveBean(LockBackend.class);
		});
	}

	@Test
	void backsOffWithoutTheFabric8Client() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(KubernetesClient.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(LockBackendFactory.class));
	}

	@Test
	void backsOffWithoutForwardLockKubernetes() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(KubernetesLeaseBackend.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(LockBackendFactory.class));
	}

	@Test
	void factoryCanBeReplacedByABeanOfTheSameName() {
		this.contextRunner
			.withBean("forwardLockKubernetesBackendFactory", LockBackendFactory.class, () -> new LockBackendFactory() {

				@Override
				public Backend backend() {
					return Backend.KUBERNETES;
				}

				@Override
				public LockBackend createBackend(LockRequest request) {
					throw new UnsupportedOperationException();
				}

			})
			.run((context) -> assertThat(context).hasSingleBean(LockBackendFactory.class)
				.doesNotHaveBean(KubernetesLockBackendFactory.class));
	}

	@Test
	void backendUsesTheConfiguredNamespaceLeaseNameAndIdentity() {
		this.contextRunner
			.withPropertyValues("forward.lock.kubernetes.namespace=shop", "forward.lock.kubernetes.lease-name=orders",
					"forward.lock.kubernetes.identity=orders-0")
			.run((context) -> {
				try (KubernetesLeaseBackend backend = context.getBean(KubernetesLockBackendFactory.class)
					.createBackend(REQUEST)) {
					assertThat(backend.getNamespace()).isEqualTo("shop");
					assertThat(backend.getIdentity()).isEqualTo("orders-0");
					assertThat(backend.describeLocation(REQUEST)).isEqualTo("Kubernetes Lease shop/orders");
					assertThat(backend.requiresHeartbeat()).isTrue();
				}
			});
	}

	@Test
	void backendDefaultsToThePodsNamespaceTheLockNameAndThePodIdentity() {
		this.contextRunner.run((context) -> {
			try (KubernetesLeaseBackend backend = context.getBean(KubernetesLockBackendFactory.class)
				.createBackend(REQUEST)) {
				assertThat(backend.getNamespace())
					.isEqualTo(KubernetesLeaseClients.namespace(Config.autoConfigure(null)));
				assertThat(backend.getIdentity()).isEqualTo(KubernetesLeaseBackend.defaultIdentity());
				assertThat(backend.leaseName(REQUEST)).isEqualTo("orders-job");
			}
		});
	}

	@Test
	void selectedBackendLooksForItsLeaseWhenTheApplicationStarts() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			closedPort = socket.getLocalPort();
		}
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ForwardLockKubernetesAutoConfiguration.class,
					ForwardLockAutoConfiguration.class))
			.withPropertyValues("forward.lock.backend=kubernetes", "forward.lock.name=orders",
					"kubernetes.master=http://127.0.0.1:" + closedPort, "forward.lock.kubernetes.namespace=shop",
					"forward.lock.stale-timeout=6s", "forward.lock.heartbeat.interval=2s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("BACKEND_UNAVAILABLE")
				.hasStackTraceContaining("Kubernetes Lease shop/orders")
				.hasStackTraceContaining("Check that the API server at http://127.0.0.1:" + closedPort)
				.satisfies((failure) -> assertThat(stackTrace(failure))
					.as("the API server was configured, through the application's kubernetes.master")
					.doesNotContain("No cluster configuration was found")));
	}

	private static String stackTrace(Throwable failure) {
		StringWriter out = new StringWriter();
		failure.printStackTrace(new PrintWriter(out));
		return out.toString();
	}

	@Test
	void defaultValues() {
		ForwardLockKubernetesProperties properties = new ForwardLockKubernetesProperties();
		assertThat(properties.getNamespace()).isNull();
		assertThat(properties.getLeaseName()).isNull();
		assertThat(properties.getIdentity()).isNull();
	}

	@Test
	void selectingTheKubernetesBackendWithoutTheModuleSaysWhatToAdd() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ForwardLockAutoConfiguration.class))
			.withPropertyValues("forward.lock.backend=kubernetes")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("forward-lock-kubernetes"));
	}

}
