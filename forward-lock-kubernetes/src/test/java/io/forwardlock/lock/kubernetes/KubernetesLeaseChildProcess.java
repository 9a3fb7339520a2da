package io.forwardlock.lock.kubernetes;

import java.nio.file.Path;
import java.time.Duration;

import io.fabric8.kubernetes.client.KubernetesClient;

import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.testsupport.BackendChildProcess;
import io.forwardlock.lock.testsupport.OverlapJournal;

/**
 * Child JVM that uses {@link KubernetesLeaseBackend} against a mock API server (its URL
 * as {@code <url>}), or the real cluster of the opt-in tests ({@code cluster}). Two
 * modes, those of {@link BackendChildProcess}:
 * <ul>
 * <li>{@code hold <url> <name> <leaseMillis>}</li>
 * <li>{@code race <url> <name> <leaseMillis> <rounds> <journal>}</li>
 * </ul>
 */
public final class KubernetesLeaseChildProcess {

	private KubernetesLeaseChildProcess() {
	}

	public static void main(String[] args) throws Exception {
		Duration lease = Duration.ofMillis(Long.parseLong(args[3]));
		try (KubernetesClient client = KubernetesLeaseClients.create(RealCluster.configFor(args[1], lease))) {
			KubernetesLeaseBackend backend = new KubernetesLeaseBackend(client, RealCluster.namespaceFor(args[1]));
			LockRequest request = BackendChildProcess.request(args[2], lease);
			if (args[0].equals("race")) {
				BackendChildProcess.race(backend, request, Integer.parseInt(args[4]),
						new OverlapJournal(Path.of(args[5])), Duration.ofMillis(1));
			}
			else {
				BackendChildProcess.hold(backend, request);
			}
		}
	}

}
