package io.forwardlock.lock.file.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Child JVMs running as another user ({@code nobody}, uid 65534) through {@code setpriv},
 * for tests that run as root. The test class path is copied where that user can read it,
 * because the build directory may sit under a private home.
 */
public final class OtherUser {

	/**
	 * The other user's uid.
	 */
	public static final int UID = 65534;

	private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

	private OtherUser() {
	}

	/**
	 * Whether children can be started as another user: the tests run as root and
	 * {@code setpriv} exists.
	 * @return whether available
	 */
	public static boolean available() {
		return "root".equals(System.getProperty("user.name")) && Files.isExecutable(SETPRIV);
	}

	/**
	 * Start a child JVM as the other user.
	 * @param readable a directory the other user can read, for the class path copy
	 * @param mainClass the main class
	 * @param args its arguments
	 * @return the running child
	 * @throws IOException if it cannot be started
	 */
	public static ChildJvm start(Path readable, Class<?> mainClass, String... args) throws IOException {
		String classPath = copyClassPath(readable.resolve("classes"));
		return ChildJvm.start(List.of(SETPRIV.toString(), "--reuid=" + UID, "--regid=" + UID, "--clear-groups"),
				classPath, mainClass, args);
	}

	private static String copyClassPath(Path target) throws IOException {
		// a second child of the same test reuses the first one's copy
		boolean copied = Files.isDirectory(target);
		List<String> entries = new ArrayList<>();
		int i = 0;
		for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
			Path source = Path.of(entry);
			String name = source.getFileName().toString();
			if (name.startsWith("forward-lock-") && name.endsWith(".jar") && Files.isRegularFile(source)) {
				Path jar = Files.createDirectories(target).resolve(i++ + "-" + name);
				if (!copied) {
					Files.copy(source, jar);
				}
				entries.add(jar.toString());
				continue;
			}
			if (!Files.isDirectory(source)) {
				continue;
			}
			Path copy = target.resolve(Integer.toString(i++));
			entries.add(copy.toString());
			if (copied) {
				continue;
			}
			try (Stream<Path> tree = Files.walk(source)) {
				for (Path file : (Iterable<Path>) tree::iterator) {
					Path destination = copy.resolve(source.relativize(file).toString());
					if (Files.isDirectory(file)) {
						Files.createDirectories(destination);
					}
					else {
						Files.copy(file, destination);
					}
				}
			}
		}
		try (Stream<Path> tree = Files.walk(target)) {
			for (Path file : (Iterable<Path>) tree::iterator) {
				Files.setPosixFilePermissions(file,
						PosixFilePermissions.fromString(Files.isDirectory(file) ? "rwxr-xr-x" : "rw-r--r--"));
			}
		}
		return String.join(File.pathSeparator, entries);
	}

}
