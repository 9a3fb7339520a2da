/**
 * The {@code forwardlock} actuator endpoint, which tells who holds the instance lock.
 */
@NullMarked
package io.forwardlock.actuate.endpoint;

import org.jspecify.annotations.NullMarked;
