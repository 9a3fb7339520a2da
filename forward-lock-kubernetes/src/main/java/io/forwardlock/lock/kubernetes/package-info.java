/**
 * Lock backend on Kubernetes {@code coordination.k8s.io/v1} Leases: one holder across the
 * pods of a cluster, without a shared database. See
 * {@link io.forwardlock.lock.kubernetes.KubernetesLeaseBackend}.
 */
package io.forwardlock.lock.kubernetes;
