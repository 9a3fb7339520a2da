/**
 * The {@code forwardlock} actuator endpoint, which tells who holds the instance lock.
 */
package io.forwardlock.actuate.endpoint;
