/**
 * Auto-configuration of forward-lock and its {@code forward.lock.*} properties.
 */
package io.forwardlock.autoconfigure;
