package io.forwardlock.autoconfigure;

import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockRequest;

/**
 * Creates the {@link LockBackend} for one value of {@code forward.lock.backend}. Each
 * backend's auto-configuration contributes one factory bean, guarded only by the classes
 * it needs; {@link ForwardLockAutoConfiguration} picks the factory for the selected value
 * when the application runs, never when it is built. That keeps the choice of backend a
 * run-time decision also with Spring AOT, whose generated code fixes every condition at
 * build time.
 * <p>
 * Creating a factory must have no side effects: every factory on the class path is
 * created, whichever backend is selected, also while AOT processing runs. Only
 * {@link #createBackend(LockRequest)} may connect, create files or read configuration
 * that is missing for other backends. Report what is missing there, with a
 * {@link io.forwardlock.lock.LockException} that says what to add.
 */
public interface LockBackendFactory {

	/**
	 * The value of {@code forward.lock.backend} this factory serves.
	 * @return the backend this factory creates
	 */
	ForwardLockProperties.Backend backend();

	/**
	 * Create the backend; called at run time, once, only for the selected backend.
	 * @param request the lock the application will take
	 * @return the backend
	 */
	LockBackend createBackend(LockRequest request);

}
