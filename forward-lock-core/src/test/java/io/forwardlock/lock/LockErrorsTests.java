package io.forwardlock.lock;

import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LockErrors}: every error has its type, says where, and gives help that
 * names settings as facts (no property of the starter), and never advises deleting a held
 * lock file.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LockErrorsTests {

	private static final HolderRecord LOCAL = HolderRecord.currentProcess("orders", "id");

	private static final long PID = ProcessHandle.current().pid();

	@Test
	void instanceRunningWithLocalHolderSuggestsStoppingItByPid() {
		LockException ex = LockErrors.instanceRunning(LOCAL, "/tmp/orders.lock");
		assertThat(ex.getType()).isEqualTo(LockErrorType.INSTANCE_RUNNING);
		assertThat(ex.getPid()).isEqualTo(PID);
		assertThat(ex.getHelp().get(0)).contains("kill " + PID);
		assertThat(ex.getRemedies()).anySatisfy((remedy) -> assertThat(remedy.changes())
			.containsExactly(LockRemedy.Change.to(LockSetting.STANDBY, "true")));
		assertThat(ex.getHelp()).anySatisfy((line) -> assertThat(line).contains("InstanceLock.acquireOnStandby"));
		assertThat(ex.getHelp()).anySatisfy((line) -> assertThat(line).startsWith("Do not delete the lock file"));
	}

	@Test
	void instanceRunningWithRemoteOrUnknownHolderDoesNotSuggestLocalKill() {
		LockException remote = LockErrors.instanceRunning(new HolderRecord(7, "elsewhere", null, null, null, null),
				"table row");
		assertThat(remote.getHelp().get(0)).contains("on host elsewhere").doesNotContain("kill ");
		LockException unknown = LockErrors.instanceRunning(HolderRecord.unknown(), "/tmp/orders.lock");
		assertThat(unknown.getHelp().get(0)).doesNotContain("kill ");
		assertThat(LockErrors.instanceRunning(null, "x").getHelp()).isNotEmpty();
	}

	@Test
	void holderInAnotherPidNamespaceIsNeverToBeKilledHereByItsPid() {
		// PID 1 of another namespace, started at another time than this namespace's PID 1
		HolderRecord otherNamespace = new HolderRecord(1, HolderRecord.localHostname(),
				Instant.parse("2001-01-01T00:00:00Z"), null, "orders", "id");
		LockException ex = LockErrors.instanceRunning(otherNamespace, "/tmp/orders.lock");
		assertThat(ex.getHelp().get(0)).doesNotContain("kill 1")
			.contains("another PID namespace or container")
			.contains("PID 1");
		LockException onLease = LockErrors.instanceRunningOnLease(otherNamespace, "row", Duration.ofSeconds(60));
		assertThat(onLease.getHelp().get(0)).doesNotContain("kill 1").contains("another PID namespace or container");
	}

	@Test
	void holderRecordWithoutStartTimeIsToBeCheckedBeforeItIsStopped() {
		HolderRecord pidOnly = new HolderRecord(4242, HolderRecord.localHostname(), null, null, null, null);
		LockException ex = LockErrors.instanceRunning(pidOnly, "/tmp/orders.lock");
		assertThat(ex.getHelp().get(0)).doesNotContain("kill 4242").contains("ps -p 4242");
	}

	@Test
	void permissionDeniedNamesDirectoryAndProperty() {
		LockException ex = LockErrors.permissionDenied(Path.of("/var/lib/orders/orders.lock"),
				new AccessDeniedException("/var/lib/orders/orders.lock"));
		assertThat(ex.getType()).isEqualTo(LockErrorType.PERMISSION_DENIED);
		assertThat(ex.getLocation()).isEqualTo("/var/lib/orders/orders.lock");
		assertThat(ex.getHelp().get(0))
			.isEqualTo("Check the directory's owner and permissions: ls -ld /var/lib/orders");
		assertThat(ex.getRemedies()).anySatisfy((remedy) -> assertThat(remedy.changes())
			.containsExactly(LockRemedy.Change.to(LockSetting.DIRECTORY, "$HOME/.forward-lock")));
		assertThat(ex.getCause()).isInstanceOf(AccessDeniedException.class);
	}

	@Test
	void unsafeLockFileSaysWhatIsWrongAndThatItWasLeftAlone() {
		LockException ex = LockErrors.unsafeLockFile(Path.of("/tmp/orders.lock"), "is a symbolic link");
		assertThat(ex.getType()).isEqualTo(LockErrorType.UNSAFE_LOCK_FILE);
		assertThat(ex.getSummary()).contains("is a symbolic link").contains("left untouched");
		assertThat(ex.getRemedies())
			.anySatisfy((remedy) -> assertThat(remedy.changes()).extracting(LockRemedy.Change::setting)
				.containsExactly(LockSetting.DIRECTORY));
		assertThat(ex.getHelp()).anySatisfy(
				(line) -> assertThat(line).contains("ps -p $(cat /tmp/orders.lock)").contains("rather than removing"));
	}

	@Test
	void maxRetriesExceededKeepsHolderAndHelpOfLastAttempt() {
		LockException last = LockErrors.instanceRunning(LOCAL, "/tmp/orders.lock");
		LockException ex = LockErrors.maxRetriesExceeded(4, last);
		assertThat(ex.getType()).isEqualTo(LockErrorType.MAX_RETRIES_EXCEEDED);
		assertThat(ex.getSummary())
			.isEqualTo("Failed to acquire the lock after 4 attempts: Another instance is already running");
		assertThat(ex.getHolder()).isEqualTo(LOCAL);
		assertThat(ex.getLocation()).isEqualTo("/tmp/orders.lock");
		assertThat(ex.getRemedies()).containsAll(last.getRemedies());
		assertThat(ex.getRemedies()).last()
			.satisfies((remedy) -> assertThat(remedy.changes()).extracting(LockRemedy.Change::setting)
				.containsExactly(LockSetting.MAX_RETRIES, LockSetting.RETRY_DELAY));
		assertThat(LockErrors.maxRetriesExceeded(1, last).getSummary()).contains("after 1 attempt:");
	}

	@Test
	void otherFactoriesCarryTheirTypes() {
		assertThat(LockErrors.raceCondition("/tmp/x.lock").getType()).isEqualTo(LockErrorType.RACE_CONDITION);
		assertThat(LockErrors.releaseFailed("/tmp/x.lock", null).getType()).isEqualTo(LockErrorType.RELEASE_FAILED);
		assertThat(LockErrors.backendUnavailable("/tmp/x.lock", "verify", null).getSummary())
			.isEqualTo("Failed to verify");
		LockException lost = LockErrors.lockLost("/tmp/x.lock", "replaced", LOCAL);
		assertThat(lost.getType()).isEqualTo(LockErrorType.LOCK_LOST);
		assertThat(lost.getSummary()).contains("replaced");
		assertThat(lost.getRemedies())
			.anySatisfy((remedy) -> assertThat(remedy.changes()).extracting(LockRemedy.Change::setting)
				.contains(LockSetting.STALE_TIMEOUT));
	}

	@Test
	void factsNeverNameAPropertyOrAnEnvironmentVariableOfTheStarter() {
		assertThat(all()).allSatisfy((ex) -> assertThat(ex.getMessage()).doesNotContainIgnoringCase("forward.lock.")
			.doesNotContainIgnoringCase("forward_lock_"));
	}

	private static List<LockException> all() {
		Path path = Path.of("/tmp/x.lock");
		return List.of(LockErrors.instanceRunning(LOCAL, "/tmp/x.lock"),
				LockErrors.instanceRunning(HolderRecord.unknown(), "/tmp/x.lock"),
				LockErrors.instanceRunningOnLease(LOCAL, "row", Duration.ofSeconds(60)),
				LockErrors.permissionDenied(path, null),
				LockErrors.permissionDenied(path,
						new java.nio.file.FileSystemException(path.toString(), null, "Read-only file system")),
				LockErrors.unsafeLockFile(path, "is a directory"),
				LockErrors.unsafeLockDirectory(Path.of("/tmp"), "can be written by others"),
				LockErrors.raceCondition("/tmp/x.lock"), LockErrors.releaseFailed("/tmp/x.lock", null),
				LockErrors.backendUnavailable("/tmp/x.lock", "x", null), LockErrors.lockLost("/tmp/x.lock", "x", null),
				LockErrors.maxRetriesExceeded(2, LockErrors.instanceRunning(LOCAL, "/tmp/x.lock")));
	}

	@Test
	void noHelpEverAdvisesDeletingTheLockFile() {
		all().stream()
			.flatMap((ex) -> Stream.concat(ex.getHelp().stream(), Stream.of(ex.getSummary())))
			.forEach((line) -> {
				assertThat(line).doesNotContain("rm ")
					.doesNotContain("os.Getenv")
					.doesNotContainPattern("(?i)(^|\\. )(delete|remove) ");
				if (line.toLowerCase().contains("delete the lock file")) {
					assertThat(line).startsWith("Do not delete");
				}
			});
	}

	@Test
	void readOnlyFileSystemIsNotReportedAsAPermissionProblem() {
		Path path = Path.of("/srv/app/forward-mcp.lock");
		LockException ex = LockErrors.permissionDenied(path,
				new java.nio.file.FileSystemException(path.toString(), null, "Read-only file system"));
		assertThat(ex.getType()).isNotEqualTo(LockErrorType.PERMISSION_DENIED);
		assertThat(ex.getSummary()).contains("read-only");
		assertThat(String.join("\n", ex.getHelp())).contains("findmnt -T /srv/app")
			.doesNotContain("permissions")
			.doesNotContain("install -d");
	}

}
