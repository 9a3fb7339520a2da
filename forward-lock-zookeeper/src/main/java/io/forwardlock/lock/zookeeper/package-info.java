/**
 * ZooKeeper backend of forward-lock, on Apache Curator: a lock is an ephemeral node, its
 * {@code czxid} the fencing token. See
 * {@link io.forwardlock.lock.zookeeper.ZookeeperLockBackend}.
 */
package io.forwardlock.lock.zookeeper;
