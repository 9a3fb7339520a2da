package io.forwardlock.diagnostics;

import java.time.Instant;
import java.util.List;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.ApplicationContextException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LockFailureAnalyzer}.
 */
class LockFailureAnalyzerTests {

	private static final HolderRecord HOLDER = new HolderRecord(4242, HolderRecord.localHostname(),
			Instant.parse("2026-11-28T09:59:00Z"), Instant.parse("2026-11-28T10:00:00Z"), "forward-mcp", "id-1");

	private final LockFailureAnalyzer analyzer = new LockFailureAnalyzer();

	@Test
	void refusalDescribesTheHolderAndTheLockAndNumbersTheSolutions() {
		// "kill N" is advised only for a holder that runs here: this very process
		ProcessHandle self = ProcessHandle.current();
		HolderRecord holder = new HolderRecord(self.pid(), HolderRecord.localHostname(),
				self.info().startInstant().orElseThrow(), Instant.parse("2026-11-28T10:00:00Z"), "forward-mcp", "id-1");
		FailureAnalysis analysis = this.analyzer
			.analyze(refusal(LockErrors.instanceRunning(holder, "/tmp/forward-mcp.lock")));
		assertThat(analysis.getDescription()).contains("another instance holds the instance lock")
			.contains("PID " + self.pid())
			.contains("on " + HolderRecord.localHostname())
			.contains("since 2026-11-28T10:00:00Z")
			.contains("/tmp/forward-mcp.lock");
		assertThat(analysis.getAction()).startsWith("Possible solutions:")
			.contains("1. Stop the running instance first: kill " + self.pid())
			.contains("2. ")
			.contains("forward.lock.standby=true");
	}

	@Test
	void lockExceptionIsFoundAlongTheCauseChain() {
		LockException refusal = LockErrors.instanceRunning(HOLDER, "/tmp/forward-mcp.lock");
		FailureAnalysis analysis = this.analyzer
			.analyze(new ApplicationContextException("Failed to start bean 'forwardLockLifecycle'", refusal));
		assertThat(analysis).isNotNull();
		assertThat(analysis.getCause()).isSameAs(refusal);
	}

	@Test
	void retriesExhaustedStillNameTheHolder() {
		LockException exhausted = LockErrors.maxRetriesExceeded(4,
				LockErrors.instanceRunning(HOLDER, "/tmp/forward-mcp.lock"));
		FailureAnalysis analysis = this.analyzer.analyze(exhausted);
		assertThat(analysis.getDescription()).contains("after 4 attempts").contains("PID 4242");
		assertThat(analysis.getDescription()).doesNotContain("Underlying error");
		assertThat(analysis.getAction()).contains("forward.lock.max-retries");
	}

	@Test
	void infrastructureFailureShowsTheUnderlyingError() {
		LockException denied = LockErrors.permissionDenied(java.nio.file.Path.of("/var/lock/app/app.lock"),
				new java.nio.file.AccessDeniedException("/var/lock/app/app.lock"));
		FailureAnalysis analysis = this.analyzer.analyze(denied);
		assertThat(analysis.getDescription()).contains("could not be acquired")
			.contains("PERMISSION_DENIED")
			.contains("Underlying error: java.nio.file.AccessDeniedException");
		assertThat(analysis.getAction()).contains("1. Check the directory's owner and permissions");
	}

	@Test
	void otherFailuresAreNotAnalyzed() {
		assertThat(this.analyzer.analyze(new IllegalStateException("boom"))).isNull();
	}

	@Test
	void startupExceptionWrapsTheFailureAsItsCauseAndCarriesTheExitCode() {
		LockException refusal = LockErrors.instanceRunning(HOLDER, "/tmp/forward-mcp.lock");
		LockStartupException startup = new LockStartupException(refusal, 75);
		assertThat(startup.getExitCode()).isEqualTo(75);
		assertThat(startup).hasCause(refusal);
		assertThat(startup.getFailure()).isSameAs(refusal);
		assertThat(startup.getType()).isEqualTo(LockErrorType.INSTANCE_RUNNING);
		assertThat(startup.getMessage()).contains("forward.lock.standby=true (FORWARD_LOCK_STANDBY=true)");
		FailureAnalysis analysis = this.analyzer.analyze(startup);
		assertThat(analysis.getCause()).isSameAs(refusal);
	}

	@Test
	void solutionsNameTheStartersPropertiesAndTheCoreFactsNone() {
		LockException refusal = LockErrors.instanceRunning(HOLDER, "/tmp/forward-mcp.lock");
		FailureAnalysis analysis = this.analyzer.analyze(refusal(refusal));
		assertThat(analysis.getAction()).contains("forward.lock.standby=true (FORWARD_LOCK_STANDBY=true)")
			.contains("forward.lock.name=<other-name> (FORWARD_LOCK_NAME=<other-name>)")
			.contains("forward.lock.dir=/other/dir (FORWARD_LOCK_DIR=/other/dir)")
			.doesNotContain("InstanceLock");
		assertThat(refusal.getMessage()).doesNotContain("forward.lock").contains("InstanceLock.acquireOnStandby");
		LockException lost = LockErrors.lockLost("/tmp/forward-mcp.lock", "replaced", null);
		assertThat(this.analyzer.analyze(lost).getAction())
			.contains("(forward.lock.stale-timeout, forward.lock.heartbeat.interval)");
	}

	@Test
	void textFromOutsideThisProcessIsEscapedInTheReport() {
		HolderRecord forged = new HolderRecord(4242, "host\nERROR forged", null, null, "app\u001b[2J", null);
		LockException refusal = LockErrors.instanceRunning(forged, "/tmp/dir\nINFO forged/app.lock");
		LockException failure = LockException.builder(LockErrorType.BACKEND_UNAVAILABLE, "Failed")
			.cause(new java.io.IOException("disk\nERROR forged"))
			.build();
		for (LockException each : List.of(refusal, failure)) {
			FailureAnalysis analysis = this.analyzer.analyze(refusal(each));
			assertThat(analysis.getDescription()).doesNotContain("\nERROR", "\nINFO", "\u001b");
			assertThat(analysis.getAction()).doesNotContain("\nERROR", "\nINFO", "\u001b");
		}
	}

	private static LockStartupException refusal(LockException failure) {
		return new LockStartupException(failure, 75);
	}

}
