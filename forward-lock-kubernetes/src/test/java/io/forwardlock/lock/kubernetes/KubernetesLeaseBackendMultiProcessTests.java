package io.forwardlock.lock.kubernetes;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.testsupport.ChildJvm;
import io.forwardlock.lock.testsupport.OverlapJournal;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several JVMs race for one Lease on one mock API server over many rounds, and a journal
 * they append to while holding the lock shows that no two of them ever held it at once; a
 * holder killed with SIGKILL is replaced within the lease duration and one retry delay.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class KubernetesLeaseBackendMultiProcessTests {

	private static final int PROCESSES = 5;

	private static final int ROUNDS = 100;

	private static final Duration LEASE = Duration.ofSeconds(2);

	private static final Duration RETRY_DELAY = Duration.ofMillis(200);

	/**
	 * Room for a loaded machine on top of the bound: the first call of a fresh client and
	 * the scheduling of the waiting thread. Printed figures show the real time.
	 */
	private static final Duration SCHEDULING_SLACK = Duration.ofSeconds(3);

	private MockApiServer server;

	@TempDir
	Path directory;

	@BeforeEach
	void startServer() {
		this.server = MockApiServer.start();
	}

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void jvmsRacingForOneLeaseNeverHoldItAtTheSameTimeAndTokensStrictlyIncrease() throws Exception {
		OverlapJournal journal = new OverlapJournal(this.directory.resolve("journal"));
		List<ChildJvm> children = new ArrayList<>();
		try {
			for (int i = 0; i < PROCESSES; i++) {
				children.add(ChildJvm.start(KubernetesLeaseChildProcess.class, "race", this.server.url(), "race",
						Long.toString(LEASE.multipliedBy(15).toMillis()), Integer.toString(ROUNDS),
						journal.file().toString()));
			}
			for (ChildJvm child : children) {
				child.await(Duration.ofSeconds(90), "READY");
			}
			long started = System.nanoTime();
			for (ChildJvm child : children) {
				child.send("go");
			}
			long attempts = 0;
			for (ChildJvm child : children) {
				attempts += Long.parseLong(child.await(Duration.ofSeconds(240), "DONE").substring(5));
				assertThat(child.waitFor(Duration.ofSeconds(30))).isZero();
			}
			long millis = (System.nanoTime() - started) / 1_000_000;
			OverlapJournal.Verdict verdict = journal.verdict();
			assertThat(verdict.entries()).isEqualTo(PROCESSES * ROUNDS);
			assertThat(verdict.overlaps()).isZero();
			assertThat(verdict.tokenRegressions()).isZero();
			assertThat(verdict.tokens()).hasSize(PROCESSES * ROUNDS).doesNotHaveDuplicates();
			System.out.printf(
					"Kubernetes multi-process race: %d JVMs x %d rounds = %d acquisitions in %d attempts, "
							+ "%d overlaps, %d token regressions, last fencing token %d, %d ms%n",
					PROCESSES, ROUNDS, verdict.entries(), attempts, verdict.overlaps(), verdict.tokenRegressions(),
					verdict.tokens().get(verdict.tokens().size() - 1), millis);
		}
		finally {
			children.forEach(ChildJvm::close);
		}
	}

	@Test
	void holderKilledWithSigkillIsReplacedWithinLeaseDurationAndOneRetryDelay() throws Exception {
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try (KubernetesClient client = this.server.newClient(LEASE);
				ChildJvm holder = ChildJvm.start(KubernetesLeaseChildProcess.class, "hold", this.server.url(), "orders",
						Long.toString(LEASE.toMillis()))) {
			holder.await(Duration.ofSeconds(60), "READY");
			String answer = holder.ask("acquire", Duration.ofSeconds(60), "ACQUIRED", "BUSY", "ERROR");
			assertThat(answer).startsWith("ACQUIRED");
			long holderToken = Long.parseLong(answer.substring("ACQUIRED ".length()));
			KubernetesLeaseBackend backend = new KubernetesLeaseBackend(client, MockApiServer.NAMESPACE);
			LockRequest request = LockRequest.named("orders").heartbeat(LEASE.dividedBy(4), LEASE).build();
			// Warm the client up and let the standby watch the live holder for a while.
			assertThat(backend.tryAcquire(request)).isEmpty();
			Future<LockLease> standby = executor.submit(() -> backend.acquireBlocking(request, RETRY_DELAY));
			assertThat(backend.inspect(request)).isPresent();
			long killedAt = System.nanoTime();
			holder.kill();
			LockLease lease = standby.get(60, TimeUnit.SECONDS);
			Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
			assertThat(lease.fencingToken().getAsLong()).isGreaterThan(holderToken);
			assertThat(takeover).isLessThanOrEqualTo(LEASE.plus(RETRY_DELAY).plus(SCHEDULING_SLACK));
			System.out.printf("Kubernetes takeover after SIGKILL: %d ms (bound: lease %d ms + retry delay %d ms)%n",
					takeover.toMillis(), LEASE.toMillis(), RETRY_DELAY.toMillis());
			lease.release();
		}
		finally {
			executor.shutdownNow();
		}
	}

}
