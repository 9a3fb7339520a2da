package io.forwardlock.lifecycle;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.Supplier;

import io.forwardlock.diagnostics.LockStartupException;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.watch.LockWatchdog;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ApplicationContextEvent;

/**
 * Holds the application's instance lock while it runs: acquires it in {@link #start()}
 * before any other lifecycle bean starts, releases it in {@link #stop()} after all have
 * stopped; a {@link LockWatchdog} verifies and renews it meanwhile. On a loss, every
 * lifecycle bean of a later phase (the guarded work) stops before the
 * {@link LockLostEvent} and the {@link LockLostHandler}, as does each such bean that
 * starts while the lock is not held (a later phase of the refresh, a child context
 * sharing the lock); {@link #standBy(Runnable)} waits for the lock again and restarts
 * that work, which a stop of the context meanwhile leaves stopped. {@code start()} and
 * {@code stop()} are idempotent and may run on different threads; a start after a stop
 * takes the lock and lets the context start the work, as at start-up.
 */
public class ForwardLockLifecycle implements SmartLifecycle, ForwardLock, LockStatusProvider,
		ApplicationEventPublisherAware, BeanFactoryAware, ApplicationListener<ApplicationContextEvent>, DisposableBean {

	/**
	 * Lifecycle phase: below every phase Spring and Boot use, so the lock is taken first
	 * and released last.
	 */
	public static final int PHASE = Integer.MIN_VALUE + 1000;

	private final LockKeeper keeper;

	private int phase = PHASE;

	private boolean autoStartup = true;

	/**
	 * Create a new instance.
	 * @param backend the backend to lock with
	 * @param request the lock to take
	 * @param policy retries, standby and exit code of the start-up acquisition
	 * @param verifyInterval how often to verify that the lock is still held
	 * @param lostHandler what to do when the lock is lost
	 */
	public ForwardLockLifecycle(LockBackend backend, LockRequest request, LockAcquisitionPolicy policy,
			Duration verifyInterval, LockLostHandler lostHandler) {
		this.keeper = new LockKeeper(this, backend, request, policy, verifyInterval, lostHandler);
	}

	@Override
	public void setApplicationEventPublisher(ApplicationEventPublisher publisher) {
		this.keeper.reporter().publisher = publisher;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.keeper.guard(beanFactory, this, this.phase);
	}

	/**
	 * Set where a lease acquired before the context created its singletons comes from
	 * ({@code forward.lock.acquire-early}); {@link #start()} takes it over.
	 * @param earlyAcquisition supplier of the early acquisition, or of {@code null}
	 */
	public void setEarlyAcquisition(Supplier<LockAcquisition> earlyAcquisition) {
		this.keeper.setEarlyAcquisition(earlyAcquisition);
	}

	/**
	 * Set the lifecycle phase. Defaults to {@link #PHASE}.
	 * @param phase the phase
	 */
	public void setPhase(int phase) {
		this.phase = phase;
	}

	@Override
	public int getPhase() {
		return this.phase;
	}

	/**
	 * Set whether the lock is acquired when the context refreshes. Defaults to
	 * {@code true}.
	 * @param autoStartup whether to start automatically
	 */
	public void setAutoStartup(boolean autoStartup) {
		this.autoStartup = autoStartup;
	}

	@Override
	public boolean isAutoStartup() {
		return this.autoStartup;
	}

	@Override
	public boolean isRunning() {
		return this.keeper.isRunning();
	}

	/**
	 * Acquire the lock, following the acquisition policy, and start watching it.
	 * @throws LockStartupException when the lock could not be acquired
	 */
	@Override
	public void start() {
		this.keeper.start();
	}

	/**
	 * After a loss, wait on standby for the lock on a thread of its own, then start the
	 * guarded work again. Does nothing unless the lock was lost and the lifecycle runs.
	 * @param onReacquired called once the lock is held and the guarded work started; not
	 * called when the lock is lost again, or the context closes, before the work started
	 */
	public void standBy(Runnable onReacquired) {
		this.keeper.standBy(onReacquired);
	}

	/**
	 * Keep the guarded work in step with the contexts sharing the lock: once this
	 * context, or a child without a lock of its own, has started its lifecycle beans,
	 * stop those that started while the lock was not held; once this context closes,
	 * start no guarded work again.
	 * @param event a refresh, start, stop or close of this context or of a descendant
	 */
	@Override
	public void onApplicationEvent(ApplicationContextEvent event) {
		this.keeper.contextEvent(event);
	}

	/**
	 * Stop watching and release the lock; first stop the guarded work that a standby
	 * takeover started after the context had stopped it. Idempotent; safe on the
	 * shutdown-hook thread.
	 */
	@Override
	public void stop() {
		this.keeper.stop();
	}

	/**
	 * Release a lease that is still held, also when the context is destroyed without
	 * having been stopped (a later bean failed during start-up).
	 */
	@Override
	public void destroy() {
		this.keeper.close();
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * Fails before {@link #start()}, after a loss (also while waiting on standby for the
	 * lock again) and after {@link #stop()}.
	 */
	@Override
	public OptionalLong ensureHeld() {
		return this.keeper.ensureHeld();
	}

	@Override
	public LockStatus getStatus() {
		return this.keeper.reporter().status();
	}

	LockKeeper keeper() {
		return this.keeper;
	}

	/**
	 * Whether the heartbeat runs, because it is enabled or the backend requires it.
	 * @return whether the heartbeat runs
	 */
	public boolean isHeartbeatEnabled() {
		return this.keeper.heartbeatEnabled();
	}

}
