package io.forwardlock.sample;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the sample application's jar on the Kubernetes backend against fabric8's mock API
 * server (CRUD mode, on a loopback port, in a JVM of its own), as pods would run it: each
 * process gets its own pod name through {@code HOSTNAME} and {@code POD_NAME}.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SampleAppKubernetesProcessIT {

	private static final Duration LEASE = Duration.ofSeconds(6);

	private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

	private static SampleAppProcess server;

	private static String masterUrl;

	private static KubernetesClient client;

	@TempDir
	Path dir;

	/**
	 * Start the mock in a JVM of its own, on the class path that the build of
	 * forward-lock-kubernetes wrote: this module then needs neither the mock nor the
	 * Netty version it requires.
	 */
	@BeforeAll
	static void startApiServer() throws Exception {
		Path module = Path.of("..", "forward-lock-kubernetes", "target").toAbsolutePath().normalize();
		String classPath = Files.readString(module.resolve("mock-api-server.classpath")).trim() + File.pathSeparator
				+ module.resolve("test-classes");
		server = SampleAppProcess.startMain(classPath, "io.forwardlock.lock.kubernetes.MockApiServerProcess");
		masterUrl = server.awaitLine("READY ", Duration.ofSeconds(60)).substring("READY ".length()).trim();
		client = new KubernetesClientBuilder()
			.withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(masterUrl).build())
			.build();
	}

	@AfterAll
	static void stopApiServer() throws InterruptedException {
		if (client != null) {
			client.close();
		}
		if (server != null) {
			server.close();
		}
	}

	private static String masterUrl() {
		return masterUrl;
	}

	@Test
	void podsShareTheLockThroughALeaseTheRefusalNamesTheHolderPodAndAStandbyTakesOverAfterACrash() throws Exception {
		String[] kubernetes = { "--forward.lock.backend=kubernetes", "--kubernetes.master=" + masterUrl(),
				"--forward.lock.kubernetes.namespace=test", "--forward.lock.stale-timeout=" + LEASE.toSeconds() + "s",
				"--forward.lock.heartbeat.interval=2s", "--forward.lock.retry-delay=" + RETRY_DELAY.toSeconds() + "s" };
		try (SampleAppProcess first = SampleAppProcess.start(pod("orders-7d9f-a"), kubernetes).awaitStarted()) {
			assertThat(first.output()).contains("Acquired lock 'forward-mcp' at Kubernetes Lease test/forward-mcp "
					+ "(backend kubernetes, PID " + first.pid());
			assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("orders-7d9f-a_" + first.pid());
			assertThat(lease().getMetadata().getAnnotations()).containsEntry("forwardlock.io/fencing-token", "1")
				.containsEntry("forwardlock.io/pod", "orders-7d9f-a");
			try (SampleAppProcess refused = SampleAppProcess.start(pod("orders-7d9f-b"), kubernetes);
					SampleAppProcess standby = SampleAppProcess.start(pod("orders-7d9f-c"),
							SampleAppProcess.withArgs(kubernetes, "--forward.lock.standby=true"))) {
				assertThat(refused.awaitRefusalBy(first)).contains("Holder: PID " + first.pid() + " on orders-7d9f-a")
					.contains("Lock:   Kubernetes Lease test/forward-mcp")
					.contains("kubectl delete pod orders-7d9f-a -n test")
					.contains("renewed (or taken) while this instance watched it")
					.contains("forward.lock.standby=true")
					.doesNotContain("lock file")
					.doesNotContain("\tat io.forwardlock");
				standby.awaitStandby();
				SampleLedger ledger = new SampleLedger(this.dir.resolve("ledger.txt"));
				ledger.awaitTicksOf(first.pid(), 1);
				// A crash releases nothing: the standby takes over when the Lease has
				// stayed unchanged for its duration
				long killedAt = System.nanoTime();
				first.crash();
				standby.awaitOutput("Acquired lock 'forward-mcp'", SampleAppProcess.START_TIMEOUT);
				Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
				standby.awaitStarted();
				assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("orders-7d9f-c_" + standby.pid());
				assertThat(lease().getMetadata().getAnnotations()).containsEntry("forwardlock.io/fencing-token", "2");
				ledger.awaitTicksOf(standby.pid(), 1);
				ledger.assertNoTickOfAfterFirstOf(first.pid(), standby.pid());
				ledger.assertFencingTokensNeverDecrease();
				System.out.printf(
						"Sample app on the Kubernetes backend: standby took over %d ms after SIGKILL "
								+ "(bound: lease %d ms + retry delay %d ms)%n",
						takeover.toMillis(), LEASE.toMillis(), RETRY_DELAY.toMillis());
				standby.stop();
				assertThat(standby.output()).contains("Released lock 'forward-mcp'");
				assertThat(lease().getSpec().getHolderIdentity()).as("released Lease has no holder").isNull();
			}
		}
	}

	@Test
	void aFailFastPodStartsAfterTheOnlyHolderWasKilledInsteadOfCrashLooping() throws Exception {
		String[] kubernetes = { "--forward.lock.backend=kubernetes", "--kubernetes.master=" + masterUrl(),
				"--forward.lock.kubernetes.namespace=test", "--forward.lock.kubernetes.lease-name=crash-restart",
				"--forward.lock.stale-timeout=" + LEASE.toSeconds() + "s", "--forward.lock.heartbeat.interval=2s",
				"--forward.lock.retry-delay=" + RETRY_DELAY.toSeconds() + "s" };
		long killedAt;
		try (SampleAppProcess first = SampleAppProcess.start(pod("orders-0"), kubernetes).awaitStarted()) {
			assertThat(lease("crash-restart").getSpec().getHolderIdentity()).isEqualTo("orders-0_" + first.pid());
			// kill -9, as a node loss or the OOM killer would: nothing is released
			killedAt = System.nanoTime();
			first.crash();
		}
		// The Deployment (or StatefulSet, same pod name) starts a replacement at once: it
		// neither waits as a standby nor retries, yet must not crash-loop on exit 75
		try (SampleAppProcess next = SampleAppProcess.start(pod("orders-0"), kubernetes)) {
			next.awaitOutput("Acquired lock 'forward-mcp'", SampleAppProcess.START_TIMEOUT);
			Duration started = Duration.ofNanos(System.nanoTime() - killedAt);
			next.awaitStarted();
			assertThat(lease("crash-restart").getSpec().getHolderIdentity()).isEqualTo("orders-0_" + next.pid());
			assertThat(lease("crash-restart").getMetadata().getAnnotations())
				.containsEntry("forwardlock.io/fencing-token", "2");
			System.out.printf(
					"Sample app on the Kubernetes backend: a fail-fast pod acquired %d ms after the holder's SIGKILL "
							+ "(bound: lease %d ms + retry delay %d ms + JVM start)%n",
					started.toMillis(), LEASE.toMillis(), RETRY_DELAY.toMillis());
			next.stop();
		}
	}

	private Map<String, String> pod(String name) {
		return Map.of("HOSTNAME", name, "POD_NAME", name, "SAMPLE_LEDGER_FILE",
				this.dir.resolve("ledger.txt").toString());
	}

	private static Lease lease() {
		return lease("forward-mcp");
	}

	private static Lease lease(String name) {
		return client.leases().inNamespace("test").withName(name).get();
	}

}
