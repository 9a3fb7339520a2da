/**
 * File backend of forward-lock: an OS file lock on {@code DIR/NAME.lock}, held for the
 * life of the holder and dropped by the kernel when the holder dies.
 *
 * @see io.forwardlock.lock.file.FileLockBackend
 */
@NullMarked
package io.forwardlock.lock.file;

import org.jspecify.annotations.NullMarked;
