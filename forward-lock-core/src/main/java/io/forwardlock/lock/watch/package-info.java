/**
 * Watch over a held lock: periodic verification, heartbeat, a timer at the local deadline
 * and the tolerance for a failing backend, on a scheduler the caller provides.
 */
@NullMarked
package io.forwardlock.lock.watch;

import org.jspecify.annotations.NullMarked;
