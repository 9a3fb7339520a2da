package io.forwardlock.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Fresh directory for the lock files of one benchmark trial, removed again at tear-down.
 * <p>
 * The parent defaults to {@code java.io.tmpdir}. Set the system property
 * {@code forwardlock.bench.dir} (for example {@code -jvmArgsAppend
 * -Dforwardlock.bench.dir=/var/lock}) to measure another file system: the PID-file
 * baseline pays for {@code fsync}, so the disk under the directory matters.
 */
final class TemporaryLockDirectory implements AutoCloseable {

	static final String PARENT_PROPERTY = "forwardlock.bench.dir";

	private final Path path;

	private TemporaryLockDirectory(Path path) {
		this.path = path;
	}

	static TemporaryLockDirectory create() throws IOException {
		String parent = System.getProperty(PARENT_PROPERTY, System.getProperty("java.io.tmpdir"));
		return new TemporaryLockDirectory(Files.createTempDirectory(Paths.get(parent), "forward-lock-bench-"));
	}

	Path path() {
		return this.path;
	}

	Path resolve(String fileName) {
		return this.path.resolve(fileName);
	}

	@Override
	public void close() throws IOException {
		try (Stream<Path> paths = Files.walk(this.path)) {
			for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
				Files.deleteIfExists(path);
			}
		}
	}

}
