/**
 * Auto-configuration of the ZooKeeper lock backend,
 * {@code forward.lock.backend=zookeeper}.
 */
package io.forwardlock.autoconfigure.zookeeper;
