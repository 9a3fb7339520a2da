/**
 * ZooKeeper backend of forward-lock, on Apache Curator: a lock is an ephemeral node, its
 * {@code czxid} the fencing token. See
 * {@link io.forwardlock.lock.zookeeper.ZookeeperLockBackend}.
 * <p>
 * Null-marked: parameters, return values and fields are never {@code null} unless
 * annotated {@code @Nullable}.
 */
@NullMarked
package io.forwardlock.lock.zookeeper;

import org.jspecify.annotations.NullMarked;
