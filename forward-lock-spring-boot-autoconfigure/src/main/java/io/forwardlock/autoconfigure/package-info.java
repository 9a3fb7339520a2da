/**
 * Auto-configuration of forward-lock and its {@code forward.lock.*} properties.
 */
@NullMarked
package io.forwardlock.autoconfigure;

import org.jspecify.annotations.NullMarked;
