/**
 * Spring side of the instance lock: the
 * {@link io.forwardlock.lifecycle.ForwardLockLifecycle} that holds the lock while the
 * application runs, the events it publishes, and the reactions to a lost lock.
 */
@NullMarked
package io.forwardlock.lifecycle;

import org.jspecify.annotations.NullMarked;
