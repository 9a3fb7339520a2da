/**
 * Core lock SPI and model of forward-lock, free of Spring types.
 * <p>
 * A {@link io.forwardlock.lock.LockBackend} hands out single-use
 * {@link io.forwardlock.lock.LockLease leases}. Contention is an ordinary outcome (an
 * empty {@code Optional}); only infrastructure failures throw a
 * {@link io.forwardlock.lock.LockException}.
 */
package io.forwardlock.lock;
