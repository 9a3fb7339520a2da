package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.file.PlatformDefaults.Platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * Tests for {@link PlatformDefaults}, with the OS name and environment injected.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PlatformDefaultsTests {

	@TempDir
	Path directory;

	@Test
	void linuxUsesJavaIoTmpdir() {
		PlatformDefaults defaults = new PlatformDefaults("Linux", Map.of("HOME", "/home/ann"), "/var/tmp/java",
				"/home/ann");
		assertThat(defaults.platform()).isEqualTo(Platform.UNIX);
		assertThat(defaults.lockDirectory("orders")).isEqualTo(Path.of("/var/tmp/java"));
	}

	@Test
	void otherUnixSystemsUseJavaIoTmpdir() {
		PlatformDefaults defaults = new PlatformDefaults("FreeBSD", Map.of(), "/tmp", null);
		assertThat(defaults.platform()).isEqualTo(Platform.UNIX);
		assertThat(defaults.lockDirectory("orders")).isEqualTo(Path.of("/tmp"));
	}

	@Test
	void macOsUsesApplicationSupportUnderHome() {
		PlatformDefaults defaults = new PlatformDefaults("Mac OS X", Map.of("HOME", "/Users/ann"), "/var/folders/x",
				"/Users/other");
		assertThat(defaults.platform()).isEqualTo(Platform.MACOS);
		assertThat(defaults.lockDirectory("orders"))
			.isEqualTo(Path.of("/Users/ann", "Library", "Application Support", "orders"));
	}

	@Test
	void macOsFallsBackToUserHomeWithoutHomeVariable() {
		PlatformDefaults defaults = new PlatformDefaults("Mac OS X", Map.of(), "/var/folders/x", "/Users/ann");
		assertThat(defaults.lockDirectory("orders"))
			.isEqualTo(Path.of("/Users/ann", "Library", "Application Support", "orders"));
	}

	@Test
	void windowsUsesProgramData() {
		PlatformDefaults defaults = new PlatformDefaults("Windows Server 2022", Map.of("ProgramData", "D:\\Data"),
				"C:\\Temp", "C:\\Users\\ann");
		assertThat(defaults.platform()).isEqualTo(Platform.WINDOWS);
		assertThat(defaults.lockDirectory("orders")).isEqualTo(Path.of("D:\\Data", "orders"));
	}

	@Test
	void windowsFallsBackToDefaultProgramDataWhenVariableIsBlank() {
		PlatformDefaults defaults = new PlatformDefaults("Windows 11", Map.of("ProgramData", " "), "C:\\Temp", null);
		assertThat(defaults.lockDirectory("orders")).isEqualTo(Path.of("C:\\ProgramData", "orders"));
	}

	@Test
	void unknownOsNameCountsAsUnix() {
		assertThat(new PlatformDefaults(null, Map.of(), "/tmp", null).platform()).isEqualTo(Platform.UNIX);
	}

	@Test
	void currentReflectsThisJvm() {
		PlatformDefaults current = PlatformDefaults.current();
		if (System.getProperty("os.name").startsWith("Linux")) {
			assertThat(current.lockDirectory("orders")).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
			assertThat(FileLockBackend.forPlatform("orders").getDirectory())
				.isEqualTo(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath());
		}
	}

	@Test
	void createDirectoryCreatesMissingDirectoriesOwnerOnly() throws IOException {
		Path nested = this.directory.resolve("Library/Application Support/orders");
		assertThat(PlatformDefaults.createDirectory(nested)).isEqualTo(nested);
		assertThat(nested).isDirectory();
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested))).isEqualTo("rwx------");
	}

	@Test
	void createDirectoryLeavesExistingDirectoryAlone() throws IOException {
		Files.setPosixFilePermissions(this.directory, PosixFilePermissions.fromString("rwxr-xr-x"));
		PlatformDefaults.createDirectory(this.directory);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(this.directory))).isEqualTo("rwxr-xr-x");
	}

	@Test
	void createDirectoryFailsWhenFileIsInTheWay() throws IOException {
		Path file = Files.writeString(this.directory.resolve("file"), "x");
		assertThatIOException().isThrownBy(() -> PlatformDefaults.createDirectory(file));
	}

	@Test
	void createDirectoryGivesEveryCreatedDirectoryTheRequestedModeIncludingTheStickyBit() throws IOException {
		Path nested = this.directory.resolve("shared/locks");
		PlatformDefaults.createDirectory(nested, 01770);
		assertThat(mode(nested)).isEqualTo(01770);
		assertThat(mode(nested.getParent())).isEqualTo(01770);
	}

	@Test
	void createDirectoryGivesTheModeExplicitlyRatherThanThroughTheUmask() throws IOException {
		// group write is what a typical umask (022) takes away
		Path created = this.directory.resolve("locks");
		PlatformDefaults.createDirectory(created, 01770);
		assertThat(mode(created) & 0070).isEqualTo(0070);
	}

	@Test
	void createDirectoryWithModeLeavesExistingDirectoriesAlone() throws IOException {
		Files.setPosixFilePermissions(this.directory, PosixFilePermissions.fromString("rwx------"));
		Path created = this.directory.resolve("locks");
		PlatformDefaults.createDirectory(created, 0750);
		assertThat(mode(this.directory)).isEqualTo(0700);
		assertThat(mode(created)).isEqualTo(0750);
	}

	private static int mode(Path path) throws IOException {
		return ((Integer) Files.getAttribute(path, "unix:mode")) & 07777;
	}

}
