package io.forwardlock.lock;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link LockException}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LockExceptionTests {

	@Test
	void messageRendersTypeHolderPathNumberedHelpAndCause() {
		LockException ex = new LockException(LockErrorType.INSTANCE_RUNNING, "Another instance is already running",
				new HolderRecord(4242, "host-a", null, null, null, null), "/tmp/app.lock", List.of("First", "Second"),
				new IOException("boom"));
		assertThat(ex.getMessage()).isEqualTo("""
				INSTANCE_RUNNING: Another instance is already running (PID 4242 on host-a)
				Lock: /tmp/app.lock

				Possible solutions:
				  1. First
				  2. Second

				Underlying error: java.io.IOException: boom""");
		assertThat(LockFailureFormat.details(ex, "> ")).isEqualTo("""
				> Reason: INSTANCE_RUNNING: Another instance is already running
				> Holder: PID 4242 on host-a
				> Lock:   /tmp/app.lock
				> Underlying error: java.io.IOException: boom""");
		assertThat(LockFailureFormat.solutions(ex, LockFailureFormat.IN_CODE)).isEqualTo("  1. First\n  2. Second");
		assertThat(ex.getPid()).isEqualTo(4242);
		assertThat(ex.getHost()).isEqualTo("host-a");
		assertThat(ex.getLocation()).isEqualTo("/tmp/app.lock");
		assertThat(ex.getSummary()).isEqualTo("Another instance is already running");
		assertThat(ex.getCause()).isInstanceOf(IOException.class);
	}

	@Test
	void missingPartsAreLeftOut() {
		LockException ex = new LockException(LockErrorType.BACKEND_UNAVAILABLE, "Down", null, null, null, null);
		assertThat(ex.getMessage()).isEqualTo("BACKEND_UNAVAILABLE: Down");
		assertThat(ex.getHelp()).isEmpty();
		assertThat(LockFailureFormat.solutions(ex, LockFailureFormat.IN_CODE)).isEmpty();
		assertThat(ex.getPid()).isEqualTo(-1);
		assertThat(ex.getHost()).isNull();
	}

	@Test
	void helpIsCopiedAndImmutable() {
		List<String> help = new ArrayList<>(List.of("One"));
		LockException ex = new LockException(LockErrorType.LOCK_LOST, "Lost", null, null, help, null);
		help.add("Two");
		assertThat(ex.getHelp()).containsExactly("One");
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> ex.getHelp().add("x"));
	}

	@Test
	void typeIsRequired() {
		assertThatExceptionOfType(NullPointerException.class)
			.isThrownBy(() -> new LockException(null, "x", null, null, null, null));
	}

	@Test
	void untrustedTextCannotForgeLinesOrTerminalEscapesInTheMessage() {
		LockException ex = new LockException(LockErrorType.INSTANCE_RUNNING, "Another instance is already running",
				new HolderRecord(4242, "host\nERROR forged", null, null, "app\u001b[2J", null),
				"/tmp/dir\nINFO forged/app.lock", List.of("Inspect: ls -la /tmp/dir\nINFO forged/app.lock"), null);
		assertThat(ex.getMessage()).doesNotContain("\nERROR", "\nINFO", "\u001b")
			.contains("host\\nERROR forged", "app\\e[2J", "/tmp/dir\\nINFO forged/app.lock");
		assertThat(LockFailureFormat.details(ex, "")).doesNotContain("\nERROR", "\nINFO", "\u001b");
		assertThat(LockFailureFormat.solutions(ex, LockFailureFormat.IN_CODE)).doesNotContain("\nINFO");
		assertThat(ex.getLocation()).isEqualTo("/tmp/dir\\nINFO forged/app.lock");
	}

	@Test
	void settingsAreNamedByTheWordsOfTheApplication() {
		LockException ex = LockException.builder(LockErrorType.INSTANCE_RUNNING, "Held")
			.remedy("Wait for it", LockSetting.STANDBY, "true")
			.remedy(LockRemedy.of("Wait longer", LockRemedy.Change.of(LockSetting.MAX_RETRIES),
					LockRemedy.Change.of(LockSetting.RETRY_DELAY)))
			.build();
		assertThat(ex.getHelp()).containsExactly("Wait for it: InstanceLock.acquireOnStandby(...)",
				"Wait longer (the maxRetries of InstanceLock.acquire(...), the retryDelay of InstanceLock.acquire(...))");
		assertThat(LockFailureFormat.solutions(ex, (setting, value) -> setting.name() + "=" + value))
			.isEqualTo("  1. Wait for it: STANDBY=true\n  2. Wait longer (MAX_RETRIES=null, RETRY_DELAY=null)");
	}

}
