/**
 * Actuator support for forward-lock: health indicator, {@code forwardlock} endpoint, info
 * contributor and Micrometer metrics. Everything here reads the in-memory
 * {@link io.forwardlock.lifecycle.LockStatus} snapshot and never touches the lock itself.
 */
@NullMarked
package io.forwardlock.actuate;

import org.jspecify.annotations.NullMarked;
