package io.forwardlock.lock;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HolderRecord}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HolderRecordTests {

	@Test
	void currentProcessRecordsPidHostStartAndIds() {
		HolderRecord record = HolderRecord.currentProcess("orders", "id-1");
		assertThat(record.pid()).isEqualTo(ProcessHandle.current().pid());
		assertThat(record.hostname()).isEqualTo(HolderRecord.localHostname());
		assertThat(record.processStartedAt()).isEqualTo(ProcessHandle.current().info().startInstant().orElse(null));
		assertThat(record.acquiredAt()).isNotNull();
		assertThat(record.instanceId()).isEqualTo("id-1");
		assertThat(HolderRecord.currentProcess("orders", null).instanceId()).isNotBlank();
	}

	@Test
	void thisProcessIsAlive() {
		assertThat(HolderRecord.currentProcess("orders", null).isProcessAlive()).isTrue();
	}

	@Test
	void exitedProcessIsNotAlive() throws Exception {
		Process process = new ProcessBuilder("true").start();
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(HolderRecord.ofPid(process.pid()).isProcessAlive()).isFalse();
	}

	@Test
	void reusedPidWithOtherStartTimeIsNotAlive() {
		Instant realStart = ProcessHandle.current().info().startInstant().orElseThrow();
		HolderRecord reused = new HolderRecord(ProcessHandle.current().pid(), HolderRecord.localHostname(),
				realStart.minus(Duration.ofHours(1)), Instant.now(), "orders", "id");
		assertThat(reused.isProcessAlive()).isFalse();
	}

	@Test
	void unknownOrRemoteHolderIsNeverAliveHere() {
		assertThat(HolderRecord.unknown().isProcessAlive()).isFalse();
		assertThat(HolderRecord.unknown().hasPid()).isFalse();
		HolderRecord remote = new HolderRecord(ProcessHandle.current().pid(), "elsewhere.invalid", null, null, null,
				null);
		assertThat(remote.isLocal()).isFalse();
		assertThat(remote.isProcessAlive()).isFalse();
		assertThat(HolderRecord.ofPid(1).isLocal()).isTrue();
	}

	@Test
	void describeNamesPidHostApplicationAndTime() {
		HolderRecord record = new HolderRecord(4242, "host-a", null, Instant.parse("2026-11-28T10:00:00Z"), "orders",
				"id");
		assertThat(record.describe()).isEqualTo("PID 4242 on host-a (orders) since 2026-11-28T10:00:00Z");
		assertThat(HolderRecord.unknown().describe()).isEqualTo("unknown PID");
	}

	@Test
	void textFieldsFromFilesRowsAndTheEnvironmentAreEscaped() {
		HolderRecord record = new HolderRecord(7, "host\r\nERROR forged", null, null, "\u001b]0;title\u0007",
				"id\u202e");
		assertThat(record.hostname()).isEqualTo("host\\r\\nERROR forged");
		assertThat(record.applicationName()).isEqualTo("\\e]0;title\\u0007");
		assertThat(record.instanceId()).isEqualTo("id\\u202e");
		assertThat(record).isEqualTo(
				new HolderRecord(7, record.hostname(), null, null, record.applicationName(), record.instanceId()));
	}

}
