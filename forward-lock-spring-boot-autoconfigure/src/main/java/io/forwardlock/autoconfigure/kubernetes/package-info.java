/**
 * Auto-configuration of the Kubernetes Lease backend
 * ({@code forward.lock.backend=kubernetes}).
 */
package io.forwardlock.autoconfigure.kubernetes;
