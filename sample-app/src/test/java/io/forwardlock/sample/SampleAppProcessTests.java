package io.forwardlock.sample;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tests for {@link SampleAppProcess}, on a tiny JVM that prints and exits at once.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SampleAppProcessTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	@RepeatedTest(5)
	void awaitOutputFindsTheLastLinesOfAProcessThatExitedAtOnce() throws Exception {
		try (SampleAppProcess process = start()) {
			// Gone, as far as the operating system is concerned: its last lines may still
			// be in the pipe
			process.toHandle().onExit().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			process.awaitOutput("last words", TIMEOUT);
			assertThat(process.awaitExit(TIMEOUT)).isEqualTo(3);
			assertThat(process.output()).contains("line 19999\n");
		}
	}

	@Test
	void awaitOutputDecidesThatTheTextNeverCameOnlyAfterReadingAllTheProcessPrinted() throws Exception {
		try (SampleAppProcess process = start()) {
			assertThatThrownBy(() -> process.awaitOutput("words never printed", TIMEOUT))
				.isInstanceOf(AssertionError.class)
				.hasMessageContaining("exited with 3 without printing 'words never printed'")
				.hasMessageContaining("line 19999\n")
				.hasMessageEndingWith("last words\n");
		}
	}

	@Test
	void awaitOutputOfAProcessThatLivesOnWithoutTheTextShowsWhatItPrintedSoFar() throws Exception {
		try (SampleAppProcess process = start("--stay")) {
			assertThatThrownBy(() -> process.awaitOutput("words never printed", Duration.ofSeconds(2)))
				.isInstanceOf(AssertionError.class)
				.hasMessageContaining("did not print 'words never printed' within PT2S")
				.hasMessageContaining("line 0\n");
			assertThat(process.isAlive()).isTrue();
		}
	}

	private static SampleAppProcess start(String... args) throws IOException {
		return SampleAppProcess.startMain(System.getProperty("java.class.path"), ExitAtOnce.class.getName(), args);
	}

	/**
	 * Prints a burst of lines and its last words and exits with status 3 without waiting
	 * for anyone, or, with {@code --stay}, only once its standard input ends.
	 */
	static final class ExitAtOnce {

		private ExitAtOnce() {
		}

		public static void main(String[] args) throws IOException {
			StringBuilder burst = new StringBuilder();
			for (int i = 0; i < 20_000; i++) {
				burst.append("line ").append(i).append('\n');
			}
			// Many short lines last: the pipe holds as many as it can when the JVM exits
			burst.append("x\n".repeat(40_000));
			PrintStream out = System.out;
			out.print(burst);
			out.println("last words");
			out.flush();
			if (args.length > 0 && args[0].equals("--stay")) {
				// until the test ends it
				while (System.in.read() >= 0) {
					// nothing to do
				}
			}
			System.exit(3);
		}

	}

}
