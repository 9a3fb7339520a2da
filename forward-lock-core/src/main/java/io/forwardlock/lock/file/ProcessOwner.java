package io.forwardlock.lock.file;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Numeric user id of this process, to refuse lock files owned by somebody else.
 */
final class ProcessOwner {

	private static final int UID = resolveUid();

	private ProcessOwner() {
	}

	/**
	 * The effective user id of this process.
	 * @return the uid, or {@code -1} where it cannot be determined (Windows)
	 */
	static int uid() {
		return UID;
	}

	private static int resolveUid() {
		Path procSelf = Path.of("/proc/self");
		try {
			// /proc/self belongs to the effective uid of the process that looks at it
			return (Integer) Files.getAttribute(procSelf, "unix:uid");
		}
		catch (Exception ex) {
			// no /proc (macOS): fall back to a private file we create ourselves
		}
		try {
			Path probe = Files.createTempFile("forward-lock-uid", ".tmp");
			try {
				return (Integer) Files.getAttribute(probe, "unix:uid");
			}
			finally {
				Files.deleteIfExists(probe);
			}
		}
		catch (Exception ex) {
			return -1;
		}
	}

}
