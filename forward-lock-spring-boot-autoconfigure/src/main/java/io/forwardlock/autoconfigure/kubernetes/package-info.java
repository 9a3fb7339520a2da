/**
 * Auto-configuration of the Kubernetes Lease backend
 * ({@code forward.lock.backend=kubernetes}).
 */
@NullMarked
package io.forwardlock.autoconfigure.kubernetes;

import org.jspecify.annotations.NullMarked;
