package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Opens a lock file for an attempt to lock it, without following a symbolic link.
 */
@FunctionalInterface
interface LockFileOpener {

	/**
	 * Open the lock file.
	 * @param path the lock file path
	 * @param createNew whether the file must not exist yet
	 * @return the channel
	 * @throws IOException on failure
	 */
	FileChannel open(Path path, boolean createNew) throws IOException;

}
