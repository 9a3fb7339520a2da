/**
 * Auto-configuration of the ZooKeeper lock backend,
 * {@code forward.lock.backend=zookeeper}.
 */
@NullMarked
package io.forwardlock.autoconfigure.zookeeper;

import org.jspecify.annotations.NullMarked;
