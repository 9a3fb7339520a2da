/**
 * Micrometer metrics of the instance lock.
 */
@NullMarked
package io.forwardlock.actuate.metrics;

import org.jspecify.annotations.NullMarked;
