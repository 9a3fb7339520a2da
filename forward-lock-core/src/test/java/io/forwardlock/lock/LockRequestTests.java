package io.forwardlock.lock;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link LockRequest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LockRequestTests {

	@Test
	void defaultsAreNoHeartbeatA30SecondIntervalAndA60SecondStaleTimeout() {
		LockRequest request = LockRequest.named("orders").build();
		assertThat(request.name()).isEqualTo("orders");
		assertThat(request.applicationName()).isEqualTo("orders");
		assertThat(request.heartbeatEnabled()).isFalse();
		assertThat(request.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
		assertThat(request.staleTimeout()).isEqualTo(Duration.ofSeconds(60));
		assertThat(request.instanceId()).isNotBlank();
	}

	@Test
	void everyRequestGetsItsOwnRandomInstanceIdUnlessGiven() {
		assertThat(LockRequest.named("a").build().instanceId())
			.isNotEqualTo(LockRequest.named("a").build().instanceId());
		assertThat(LockRequest.named("a").instanceId("fixed").build().instanceId()).isEqualTo("fixed");
	}

	@Test
	void heartbeatSetsIntervalAndStaleTimeout() {
		LockRequest request = LockRequest.named("a").heartbeat(Duration.ofSeconds(5), Duration.ofSeconds(20)).build();
		assertThat(request.heartbeatEnabled()).isTrue();
		assertThat(request.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
		assertThat(request.staleTimeout()).isEqualTo(Duration.ofSeconds(20));
		assertThat(request.toString()).contains("heartbeat=PT5S");
		LockRequest off = LockRequest.named("a")
			.heartbeatEnabled(false)
			.heartbeatInterval(Duration.ofSeconds(1))
			.staleTimeout(Duration.ofSeconds(2))
			.build();
		assertThat(off.heartbeatEnabled()).isFalse();
		assertThat(off.toString()).contains("heartbeat=off");
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "../escape", "-leading-dash", ".hidden", "with space", "slash/inside", "ümlaut" })
	void invalidNamesAreRejectedWithMessageNamingThem(String name) {
		assertThatIllegalArgumentException().isThrownBy(() -> LockRequest.named(name).build())
			.withMessageContaining("'" + name + "'")
			.withMessageContaining("letters, digits");
	}

	@Test
	void nullAndOverlongNamesAreRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> LockRequest.named(null).build());
		assertThatIllegalArgumentException().isThrownBy(() -> LockRequest.named("a".repeat(129)).build());
		assertThat(LockRequest.named("a".repeat(128)).build().name()).hasSize(128);
	}

	@Test
	void heartbeatIntervalMustBeAtMostHalfTheStaleTimeout() {
		assertThatIllegalArgumentException()
			.isThrownBy(
					() -> LockRequest.named("orders").heartbeat(Duration.ofSeconds(60), Duration.ofSeconds(60)).build())
			.withMessageContaining("orders")
			.withMessageContaining("at most half of its stale timeout");
		assertThatIllegalArgumentException()
			.isThrownBy(
					() -> LockRequest.named("orders").heartbeat(Duration.ofSeconds(31), Duration.ofSeconds(60)).build())
			.withMessageContaining("at most half of its stale timeout (PT1M)");
		assertThat(LockRequest.named("orders")
			.heartbeat(Duration.ofSeconds(30), Duration.ofSeconds(60))
			.build()
			.heartbeatInterval()).hasSeconds(30);
	}

	@Test
	void durationsMustBePositive() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> LockRequest.named("orders").heartbeatInterval(Duration.ZERO).build())
			.withMessageContaining("heartbeat interval of lock 'orders' must be positive");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> LockRequest.named("orders").staleTimeout(Duration.ofSeconds(-1)).build())
			.withMessageContaining("stale timeout");
		assertThatIllegalArgumentException().isThrownBy(() -> LockRequest.named("orders").staleTimeout(null).build());
	}

	@Test
	void equalRequestsAreEqual() {
		LockRequest a = LockRequest.named("a").applicationName("app").instanceId("1").build();
		LockRequest b = LockRequest.named("a").applicationName("app").instanceId("1").build();
		assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
		assertThat(a).isNotEqualTo(LockRequest.named("a").applicationName("app").instanceId("2").build());
	}

	@Test
	void newHolderRecordDescribesThisProcess() {
		HolderRecord record = LockRequest.named("a")
			.applicationName("app")
			.instanceId("id-1")
			.build()
			.newHolderRecord();
		assertThat(record.pid()).isEqualTo(ProcessHandle.current().pid());
		assertThat(record.applicationName()).isEqualTo("app");
		assertThat(record.instanceId()).isEqualTo("id-1");
		assertThat(record.acquiredAt()).isNotNull();
	}

	@Test
	void directoryModeIsOwnerOnlyUnlessGiven() {
		assertThat(LockRequest.named("a").build().directoryMode()).isEqualTo(0700);
		assertThat(LockRequest.named("a").directoryMode(0750).build().directoryMode()).isEqualTo(0750);
		assertThat(LockRequest.named("a").directoryMode(0750).instanceId("1").build())
			.isNotEqualTo(LockRequest.named("a").instanceId("1").build());
	}

	@ParameterizedTest
	@ValueSource(strings = { "0700:448", "700:448", "0750:488", "1770:1016", "1777:1023", "2750:1512", "rwx------:448",
			"rwxr-x---:488", "rwxrwx--T:1016", "rwxrwxrwt:1023", " 0755 :493" })
	void directoryModesAreParsedFromOctalOrLetters(String example) {
		int colon = example.lastIndexOf(':');
		assertThat(LockRequest.parseDirectoryMode(example.substring(0, colon)))
			.isEqualTo(Integer.parseInt(example.substring(colon + 1)));
	}

	@ParameterizedTest
	@ValueSource(strings = { "0770", "0777", "0702", "rwxrwx---", "rwxrwxrwx" })
	void directoryModesThatLetOthersDeleteTheLockFileAreRefused(String mode) {
		assertThatIllegalArgumentException().isThrownBy(() -> LockRequest.parseDirectoryMode(mode))
			.withMessageContaining("delete the lock file")
			.withMessageContaining("such as 0750")
			.withMessageContaining("such as 1770");
	}

	@ParameterizedTest
	@ValueSource(strings = { "0500", "r-x------", "0070" })
	void directoryModesWithoutOwnerWriteAreRefused(String mode) {
		assertThatIllegalArgumentException().isThrownBy(() -> LockRequest.parseDirectoryMode(mode))
			.withMessageContaining("must give its owner rwx (0700)");
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "0800", "07000", "u=rwx", "rwx", "12345", "0x1ff" })
	void textThatIsNoModeIsRefusedWithExamples(String mode) {
		assertThatIllegalArgumentException().isThrownBy(() -> LockRequest.parseDirectoryMode(mode))
			.withMessageContaining("use octal such as 0700 or 0750, or letters such as rwxr-x---");
	}

	@Test
	void unsafeDirectoryModeIsRefusedByTheRequestNamingTheLock() {
		assertThatIllegalArgumentException().isThrownBy(() -> LockRequest.named("orders").directoryMode(0777).build())
			.withMessageStartingWith("Directory mode 0777 of lock 'orders' lets every user delete the lock file");
	}

}
