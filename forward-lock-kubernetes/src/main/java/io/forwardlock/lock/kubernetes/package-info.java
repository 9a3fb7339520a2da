/**
 * Lock backend on Kubernetes {@code coordination.k8s.io/v1} Leases: one holder across the
 * pods of a cluster, without a shared database. See
 * {@link io.forwardlock.lock.kubernetes.KubernetesLeaseBackend}.
 * <p>
 * Null-marked: parameters, return values and fields are never {@code null} unless
 * annotated {@code @Nullable}.
 */
@NullMarked
package io.forwardlock.lock.kubernetes;

import org.jspecify.annotations.NullMarked;
