package io.forwardlock.lock.file;

import java.nio.file.Path;

/**
 * Where a lock lives.
 *
 * @param path the lock file as configured
 * @param realPath the lock file with its directory's real path
 * @param holderFile the sibling holder record file
 * @param takeoverFile the file that serializes heartbeat takeovers
 * @param key the key of the JVM-wide registry
 * @param location the path for messages
 */
record LockTarget(Path path, Path realPath, Path holderFile, Path takeoverFile, String key, String location) {

}
