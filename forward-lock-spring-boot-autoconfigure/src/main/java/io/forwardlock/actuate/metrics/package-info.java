/**
 * Micrometer metrics of the instance lock.
 */
package io.forwardlock.actuate.metrics;
