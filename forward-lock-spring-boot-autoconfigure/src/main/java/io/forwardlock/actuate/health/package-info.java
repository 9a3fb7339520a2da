/**
 * Health indicator for the application's instance lock.
 */
package io.forwardlock.actuate.health;
