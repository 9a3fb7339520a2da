/**
 * Core lock SPI and model of forward-lock, free of Spring types.
 * <p>
 * A {@link io.forwardlock.lock.LockBackend} hands out single-use
 * {@link io.forwardlock.lock.LockLease leases}. Contention is an ordinary outcome (an
 * empty {@code Optional}); only infrastructure failures throw a
 * {@link io.forwardlock.lock.LockException}, which carries facts and remedies that name
 * {@link io.forwardlock.lock.LockSetting settings} without naming any configuration key.
 */
@NullMarked
package io.forwardlock.lock;

import org.jspecify.annotations.NullMarked;
