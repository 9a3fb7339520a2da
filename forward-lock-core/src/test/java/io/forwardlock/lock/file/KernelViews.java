package io.forwardlock.lock.file;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Views of the kernel's locks for tests that play situations this host cannot show.
 */
final class KernelViews {

	private KernelViews() {
	}

	/**
	 * The real kernel, with one process shown in {@code /proc/locks} as PID 0, as the
	 * kernel shows an owner outside the reader's PID namespace (another container).
	 * @param hidden the PID to hide, {@code -1} for none
	 * @return the view
	 */
	static OsLocks withPidInAnotherNamespace(LongSupplier hidden) {
		return new OsLocks(() -> Files.readAllLines(Path.of("/proc/locks"))
			.stream()
			.map((line) -> line.replace(" " + hidden.getAsLong() + " ", " 0 "))
			.collect(Collectors.joining("\n", "", "\n"))
			.getBytes(StandardCharsets.ISO_8859_1), Descriptors::readInfo);
	}

}
