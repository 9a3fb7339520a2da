package io.forwardlock.lock;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.forwardlock.lock.example.PlainJavaExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The core on its own: JVMs whose class path holds the core's classes and the README's
 * example, and nothing else (no Spring, no test library).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PlainJavaUsageTests {

	@TempDir
	Path directory;

	@Test
	void plainJavaApplicationHoldsTheLockAndASecondOneIsRefusedWithTheHolderNamed() throws Exception {
		Process first = start();
		try (BufferedReader firstOut = reader(first)) {
			assertThat(firstOut.readLine()).startsWith("HELD ").endsWith("billing.lock");
			Process second = start();
			try (BufferedReader secondOut = reader(second)) {
				assertThat(secondOut.readLine()).isEqualTo("REFUSED " + first.pid());
				assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
				assertThat(second.exitValue()).isEqualTo(75);
			}
			first.getOutputStream().write('\n');
			first.getOutputStream().flush();
			assertThat(firstOut.readLine()).isEqualTo("RELEASED");
			assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
			assertThat(first.exitValue()).isZero();
		}
		finally {
			first.destroyForcibly();
		}
	}

	private Process start() throws Exception {
		String classPath = location(InstanceLock.class) + File.pathSeparator + location(PlainJavaExample.class);
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		return new ProcessBuilder(
				List.of(java, "-cp", classPath, PlainJavaExample.class.getName(), this.directory.toString()))
			.redirectErrorStream(true)
			.start();
	}

	private static String location(Class<?> type) throws Exception {
		return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
	}

	private static BufferedReader reader(Process process) {
		return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
	}

}
