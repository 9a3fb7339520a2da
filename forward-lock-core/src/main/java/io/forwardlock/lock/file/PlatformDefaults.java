package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Default lock directory per platform, as in the original design:
 * <ul>
 * <li>Linux and other Unix: {@code java.io.tmpdir}, normally {@code /tmp};</li>
 * <li>macOS: {@code ~/Library/Application Support/<name>};</li>
 * <li>Windows: {@code %ProgramData%\<name>}.</li>
 * </ul>
 * The operating system name, the environment and the system properties are injected, so
 * that every platform can be tested on any.
 */
public final class PlatformDefaults {

	private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");

	private final String osName;

	private final Map<String, String> environment;

	private final String tmpDir;

	private final String userHome;

	/**
	 * Create a new instance.
	 * @param osName value of {@code os.name}
	 * @param environment environment variables
	 * @param tmpDir value of {@code java.io.tmpdir}
	 * @param userHome value of {@code user.home}, used when {@code HOME} is not set
	 */
	public PlatformDefaults(String osName, Map<String, String> environment, String tmpDir, String userHome) {
		this.osName = Objects.requireNonNullElse(osName, "");
		this.environment = Map.copyOf(Objects.requireNonNull(environment, "'environment' must not be null"));
		this.tmpDir = Objects.requireNonNull(tmpDir, "'tmpDir' must not be null");
		this.userHome = userHome;
	}

	/**
	 * Defaults of the running JVM.
	 * @return the defaults
	 */
	public static PlatformDefaults current() {
		return new PlatformDefaults(System.getProperty("os.name"), System.getenv(),
				System.getProperty("java.io.tmpdir"), System.getProperty("user.home"));
	}

	/**
	 * Platform family detected from the OS name.
	 * @return the platform
	 */
	public Platform platform() {
		String os = this.osName.toLowerCase(Locale.ROOT);
		if (os.startsWith("windows")) {
			return Platform.WINDOWS;
		}
		if (os.startsWith("mac") || os.startsWith("darwin")) {
			return Platform.MACOS;
		}
		return Platform.UNIX;
	}

	/**
	 * Default lock directory for an application, without creating it.
	 * @param applicationName the application (lock) name, used as a directory name on
	 * macOS and Windows
	 * @return the directory
	 */
	public Path lockDirectory(String applicationName) {
		return switch (platform()) {
			case WINDOWS -> Path.of(nonBlank(this.environment.get("ProgramData"), "C:\\ProgramData"), applicationName);
			case MACOS -> Path.of(nonBlank(this.environment.get("HOME"), this.userHome), "Library",
					"Application Support", applicationName);
			case UNIX -> Path.of(this.tmpDir);
		};
	}

	private static String nonBlank(String value, String fallback) {
		return (value != null && !value.isBlank()) ? value : fallback;
	}

	/**
	 * Create a lock directory and its missing parents. Directories created here get mode
	 * 0700 where POSIX permissions exist, since nobody but the owner needs to see into
	 * them. An existing directory is left as it is.
	 * @param directory the directory
	 * @return the directory
	 * @throws IOException when it cannot be created, or exists but is not a directory
	 */
	public static Path createDirectory(Path directory) throws IOException {
		if (Files.isDirectory(directory)) {
			return directory;
		}
		FileAttribute<?>[] attributes = (LockFiles.isPosix(directory))
				? new FileAttribute<?>[] { PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY) }
				: new FileAttribute<?>[0];
		return Files.createDirectories(directory, attributes);
	}

	/**
	 * Platform families with their own default lock directory.
	 */
	public enum Platform {

		/**
		 * Linux and other Unix systems.
		 */
		UNIX,

		/**
		 * macOS.
		 */
		MACOS,

		/**
		 * Windows.
		 */
		WINDOWS

	}

}
