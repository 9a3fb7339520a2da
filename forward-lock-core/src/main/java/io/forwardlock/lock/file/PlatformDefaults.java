package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.forwardlock.lock.LockRequest;

import org.jspecify.annotations.Nullable;

/**
 * Default lock directory per platform:
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

	private final @Nullable String userHome;

	/**
	 * Create a new instance.
	 * @param osName value of {@code os.name}
	 * @param environment environment variables
	 * @param tmpDir value of {@code java.io.tmpdir}
	 * @param userHome value of {@code user.home}, used when {@code HOME} is not set
	 */
	public PlatformDefaults(@Nullable String osName, Map<String, String> environment, String tmpDir,
			@Nullable String userHome) {
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

	private static @Nullable String nonBlank(@Nullable String value, @Nullable String fallback) {
		return (value != null && !value.isBlank()) ? value : fallback;
	}

	/**
	 * Create a lock directory and its missing parents with mode 0700.
	 * @param directory the directory
	 * @return the directory
	 * @throws IOException when it cannot be created, or exists but is not a directory
	 * @see #createDirectory(Path, int)
	 */
	public static Path createDirectory(Path directory) throws IOException {
		return createDirectory(directory, LockRequest.DEFAULT_DIRECTORY_MODE);
	}

	/**
	 * Create a lock directory and its missing parents. Each directory created here gets
	 * the mode explicitly, whatever the umask (which could otherwise take the owner's own
	 * write bit, or was meant for other files); it is owner-only from its creation until
	 * then. Existing directories, and directories that another process creates meanwhile,
	 * are left as they are.
	 * @param directory the directory
	 * @param mode the mode of created directories, such as 0700 (see
	 * {@link LockRequest#directoryMode()})
	 * @return the directory
	 * @throws IOException when it cannot be created, or exists but is not a directory
	 */
	public static Path createDirectory(Path directory, int mode) throws IOException {
		if (Files.isDirectory(directory)) {
			return directory;
		}
		if (!LockFiles.isPosix(directory)) {
			return Files.createDirectories(directory);
		}
		Deque<Path> missing = new ArrayDeque<>();
		for (Path each = directory.toAbsolutePath(); each != null
				&& !Files.exists(each, LinkOption.NOFOLLOW_LINKS); each = each.getParent()) {
			missing.push(each);
		}
		boolean unixModes = directory.getFileSystem().supportedFileAttributeViews().contains("unix");
		for (Path each : missing) {
			try {
				Files.createDirectory(each, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
			}
			catch (FileAlreadyExistsException ex) {
				if (!Files.isDirectory(each, LinkOption.NOFOLLOW_LINKS)) {
					throw ex;
				}
				continue;
			}
			if (unixModes) {
				// the unix view carries the sticky bit, which the posix view cannot
				Files.setAttribute(each, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
			}
			else {
				Files.setPosixFilePermissions(each, PosixFilePermissions.fromString(symbolic(mode)));
			}
		}
		if (!Files.isDirectory(directory)) {
			// a file (or a link to one) where the directory or one of its parents belongs
			throw new FileAlreadyExistsException(directory.toString(), null, "exists but is not a directory");
		}
		return directory;
	}

	private static String symbolic(int mode) {
		StringBuilder text = new StringBuilder();
		for (int i = 8; i >= 0; i--) {
			text.append(((mode & (1 << i)) != 0) ? "rwx".charAt((8 - i) % 3) : '-');
		}
		return text.toString();
	}

	/**
	 * What makes a directory unsafe for lock files.
	 * @param owner the directory's owner uid
	 * @param mode the directory's mode bits
	 * @param self this process's uid, or {@code -1} when unknown
	 * @return a phrase completing "it ...", or {@code null} when safe
	 */
	static @Nullable String directoryProblem(int owner, int mode, int self) {
		String foreign = foreignOwner(owner, self);
		if (foreign != null) {
			return foreign;
		}
		boolean writableByOthers = (mode & 0022) != 0;
		boolean sticky = (mode & 01000) != 0;
		if (writableByOthers && !sticky) {
			return "can be written by " + (((mode & 0002) != 0) ? "every user" : "its group") + " (mode "
					+ String.format("%04o", mode & 07777) + ") without the sticky bit";
		}
		return null;
	}

	/**
	 * What makes a directory above the lock directory unsafe: a user other than this one
	 * and root who owns it, or every user being allowed to rename its entries (no sticky
	 * bit), could move the lock directory away and put another in its place. A directory
	 * that only its group may write to is accepted: its group was chosen to share that
	 * tree (a volume's group, such as Kubernetes' {@code fsGroup}, mode 2775).
	 * @param owner the directory's owner uid
	 * @param mode the directory's mode bits
	 * @param self this process's uid, or {@code -1} when unknown
	 * @return a phrase completing "which ...", or {@code null} when safe
	 */
	static @Nullable String ancestorProblem(int owner, int mode, int self) {
		String foreign = foreignOwner(owner, self);
		if (foreign != null) {
			return foreign;
		}
		if ((mode & 0002) != 0 && (mode & 01000) == 0) {
			return "can be written by every user (mode " + String.format("%04o", mode & 07777)
					+ ") without the sticky bit";
		}
		return null;
	}

	private static @Nullable String foreignOwner(int owner, int self) {
		return (self >= 0 && owner != self && owner != 0)
				? "belongs to uid " + owner + ", neither this user (uid " + self + ") nor root" : null;
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
