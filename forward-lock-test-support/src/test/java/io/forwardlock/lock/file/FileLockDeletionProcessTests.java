package io.forwardlock.lock.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import io.forwardlock.lock.file.testsupport.ChildJvm;
import io.forwardlock.lock.file.testsupport.LockHolderProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A holder whose lock file is deleted while another process retries: the holder hears of
 * the deletion at once (not at its next scheduled verification) and either re-creates its
 * file first or reports the loss. Prints how long each verdict took.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FileLockDeletionProcessTests {

	private static final Duration ANSWER = Duration.ofSeconds(60);

	@TempDir
	Path directory;

	private final List<ChildJvm> children = new ArrayList<>();

	private final ExecutorService verifier = Executors.newSingleThreadExecutor();

	private LockLease lease;

	@AfterEach
	void cleanUp() throws InterruptedException {
		this.verifier.shutdownNow();
		this.verifier.awaitTermination(30, TimeUnit.SECONDS);
		if (this.lease != null) {
			this.lease.release();
		}
		this.children.forEach(ChildJvm::close);
	}

	@Test
	void deletionWhileAnotherProcessRetriesIsAnsweredAtOnceByRepairOrLoss() throws Exception {
		this.lease = new FileLockBackend(this.directory).tryAcquire(LockRequest.named("app").build()).orElseThrow();
		LinkedBlockingQueue<Verdict> verdicts = new LinkedBlockingQueue<>();
		// no scheduled verification at all: only the watch can trigger one
		this.lease.onSuspectedLoss(() -> this.verifier.execute(() -> {
			long started = System.nanoTime();
			verdicts.add(new Verdict(started, this.lease.verify()));
		}));
		for (int i = 0; i < 200; i++) {
			// warm up, so that the rounds time the watch rather than class loading
			this.lease.verify();
		}
		ChildJvm retrier = ChildJvm.start(LockHolderProcess.class, this.directory.toString(), "app");
		this.children.add(retrier);
		retrier.await(ANSWER, "READY");
		retrier.send("poll 100000");
		Path lockFile = this.directory.resolve("app.lock");
		List<Long> micros = new ArrayList<>();
		Verification last = null;
		for (int round = 0; round < 20; round++) {
			long deleted = System.nanoTime();
			Files.delete(lockFile);
			Verdict verdict = verdicts.poll(30, TimeUnit.SECONDS);
			// each deletion gets exactly one answer that is not HELD: the holder's
			// repair or its loss (verifications run one at a time); the HELD ones come
			// from the holder's own re-creation of the file
			while (verdict != null && verdict.verification().status() == Verification.Status.HELD) {
				verdict = verdicts.poll(30, TimeUnit.SECONDS);
			}
			assertThat(verdict).as("a verification triggered by the deletion").isNotNull();
			last = verdict.verification();
			micros.add(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - deleted));
			if (last.status() == Verification.Status.LOST) {
				break;
			}
			assertThat(last.status()).as(last.detail()).isEqualTo(Verification.Status.HEALED);
		}
		boolean retrierWon = last.status() == Verification.Status.LOST;
		System.out.printf("Deletion under a holder: %d rounds, verdict after deletion (us): %s, %s%n", micros.size(),
				micros, retrierWon ? "the retrier took the lock and the holder reported LOST"
						: "the holder re-created its file every time");
		if (retrierWon) {
			assertThat(retrier.await(ANSWER, "ACQUIRED", "TIMEOUT")).isEqualTo("ACQUIRED");
		}
		else {
			assertThat(retrier.transcript()).noneMatch((line) -> line.startsWith("ACQUIRED"));
		}
		assertThat(Files.isRegularFile(lockFile)).isTrue();
	}

	private record Verdict(long startedNanos, Verification verification) {
	}

	@Test
	void lockFileReplacedByAFileAnotherProcessHoldsIsALoss() throws Exception {
		this.lease = new FileLockBackend(this.directory).tryAcquire(LockRequest.named("app").build()).orElseThrow();
		Path elsewhere = Files.createDirectory(this.directory.resolve("elsewhere"));
		ChildJvm other = ChildJvm.start(LockHolderProcess.class, elsewhere.toString(), "app");
		this.children.add(other);
		other.await(ANSWER, "READY");
		assertThat(other.ask("acquire", ANSWER, "ACQUIRED", "BUSY", "ERROR")).isEqualTo("ACQUIRED");
		Files.move(elsewhere.resolve("app.lock"), this.directory.resolve("app.lock"), StandardCopyOption.ATOMIC_MOVE,
				StandardCopyOption.REPLACE_EXISTING);
		Verification verification = this.lease.verify();
		assertThat(verification.status()).as(verification.detail()).isEqualTo(Verification.Status.LOST);
		assertThat(verification.detail()).contains("another process holds");
	}

}
