/**
 * Health indicator for the application's instance lock.
 */
@NullMarked
package io.forwardlock.actuate.health;

import org.jspecify.annotations.NullMarked;
