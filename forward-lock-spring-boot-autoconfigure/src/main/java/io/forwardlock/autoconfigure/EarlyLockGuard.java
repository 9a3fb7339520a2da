package io.forwardlock.autoconfigure;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.forwardlock.diagnostics.LockStartupException;
import io.forwardlock.lifecycle.LockAcquirer;
import io.forwardlock.lifecycle.LockAcquisition;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.AotDetector;
import org.springframework.beans.factory.BeanFactoryInitializer;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.event.SpringApplicationEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.logging.DeferredLog;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.SmartApplicationListener;

/**
 * Takes the lock as soon as Boot has prepared the environment, before the banner, the
 * application context or any bean exists, when {@code forward.lock.acquire-early} is set.
 * Registered in {@code META-INF/spring.factories}, so it runs in every
 * {@code SpringApplication} that has forward-lock on its class path, once all
 * {@code forward.lock.*} settings are known, and before Boot's background preinitializer
 * starts (see {@link EarlyLogging}). Without {@code acquire-early}, it runs the early
 * probe that turns an obvious duplicate away ({@link EarlyLockProbe}).
 * <p>
 * Only the auto-configured file backend is handled this early: it needs nothing but the
 * settings, while any other backend needs application beans (the JDBC backend needs the
 * {@code DataSource}) and keeps the checks of the context refresh.
 * <p>
 * The acquisition follows the usual retries and standby. A standby then waits before
 * anything of the application exists: a cold standby that holds no pools and creates no
 * beans until it has the lock. The lease is handed to {@link EarlyLockAcquisition} and
 * from there to the lifecycle; if the context turns out not to use the auto-configured
 * file backend, it is released and the context's own backend is used.
 * <p>
 * Nothing of this runs during AOT processing, and neither in a context that has a parent
 * (built with {@code SpringApplicationBuilder.child}), which shares its parent's lock.
 * <p>
 * A refusal this early is published as a
 * {@link io.forwardlock.lifecycle.LockAcquireFailedEvent} to the listeners of the
 * {@code SpringApplication} (those of {@code spring.factories} and
 * {@code SpringApplication.addListeners}); no bean, and so no meter registry, exists yet
 * to count it, so it is kept for the next context of this JVM that has forward-lock's
 * metrics (see {@link EarlyLockEvents}).
 */
final class EarlyLockGuard implements SmartApplicationListener {

	/**
	 * Name of the singleton through which a lock taken while the environment was prepared
	 * reaches the context.
	 */
	static final String HANDOVER_BEAN_NAME = "forwardLockEnvironmentAcquisition";

	private static final Log logger = LogFactory.getLog(EarlyLockGuard.class);

	/**
	 * What is logged before logging is initialized, replayed once it is.
	 */
	private final DeferredLog beforeLogging = new DeferredLog();

	private final Handover handover = new Handover();

	private volatile @Nullable SpringApplication application;

	private volatile @Nullable ApplicationContext context;

	@Override
	public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
		return ApplicationEnvironmentPreparedEvent.class.isAssignableFrom(eventType)
				|| ApplicationPreparedEvent.class.isAssignableFrom(eventType)
				|| ApplicationFailedEvent.class.isAssignableFrom(eventType)
				|| ContextClosedEvent.class.isAssignableFrom(eventType);
	}

	@Override
	public int getOrder() {
		// Right before logging, which it initializes itself (see EarlyLogging)
		return LoggingApplicationListener.DEFAULT_ORDER - 1;
	}

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
			this.application = prepared.getSpringApplication();
			environmentPrepared(prepared);
		}
		else if (event instanceof ApplicationPreparedEvent prepared && isOwn(prepared)) {
			this.beforeLogging.replayTo(EarlyLockGuard.class);
			contextPrepared(prepared);
		}
		else if (event instanceof ApplicationFailedEvent failed && isOwn(failed)) {
			this.beforeLogging.replayTo(EarlyLockGuard.class);
			this.handover.releaseUntaken("start-up failed");
		}
		else if (event instanceof ContextClosedEvent closed && closed.getApplicationContext() == this.context) {
			this.handover.releaseUntaken("the context closed");
		}
	}

	private boolean isOwn(SpringApplicationEvent event) {
		// Events of a child application reach its parent's listeners too
		return event.getSpringApplication() == this.application;
	}

	private void environmentPrepared(ApplicationEnvironmentPreparedEvent event) {
		EarlyLockSetup setup = EarlyLockSetup.of(event, this.beforeLogging);
		if (setup == null) {
			return;
		}
		if (setup.properties().isAcquireEarly() && !AotDetector.useGeneratedArtifacts()) {
			// what follows logs and may wait for hours: as configured, and before Boot's
			// background preinitializer loads what a cold standby does not need yet
			initializeLogging(event);
			acquire(setup);
		}
		else if (!setup.properties().isAcquireEarly() && setup.isProbed()) {
			probe(event, setup);
		}
	}

	private void probe(ApplicationEnvironmentPreparedEvent event, EarlyLockSetup setup) {
		long started = System.nanoTime();
		LockStartupException refusal = EarlyLockProbe.refusal(setup, this.beforeLogging);
		if (refusal != null) {
			// the report is logged as configured
			initializeLogging(event);
			setup.events().refused(refusal, Duration.ofNanos(System.nanoTime() - started), 1);
			throw refusal;
		}
	}

	private void initializeLogging(ApplicationEnvironmentPreparedEvent event) {
		EarlyLogging.initialize(event, getOrder());
		this.beforeLogging.replayTo(EarlyLockGuard.class);
	}

	private void acquire(EarlyLockSetup setup) {
		LockRequest request = setup.request();
		ForwardLockProperties properties = setup.properties();
		logger.debug("Acquiring lock '" + request.name() + "' before the application context exists");
		long started = System.nanoTime();
		try {
			this.handover.set(new LockAcquirer(setup.backend(), request, ForwardLockRequests.policy(properties))
				.acquire((holder) -> waitCold(request)));
		}
		catch (LockStartupException ex) {
			setup.events().refused(ex, Duration.ofNanos(System.nanoTime() - started), properties.getMaxRetries() + 1);
			throw ex;
		}
	}

	private static void waitCold(LockRequest request) {
		logger.info("Standby is cold: no application bean exists until lock '" + request.name() + "' is taken");
		// The wait may last for hours and allocates nothing: give back what start-up
		// left behind first
		ColdStandby.prepareToWait();
	}

	private void contextPrepared(ApplicationPreparedEvent event) {
		this.context = event.getApplicationContext();
		if (this.handover.isPending()) {
			event.getApplicationContext().getBeanFactory().registerSingleton(HANDOVER_BEAN_NAME, this.handover);
		}
	}

	/**
	 * Carries a lease taken while the environment was prepared into the context, where
	 * {@link EarlyLockAcquisition} takes it while bean factory post-processors run.
	 * Releases it if nobody took it by then, before any singleton is created: no bean of
	 * the context takes it over later (forward-lock's auto-configuration is excluded
	 * where the guard could not see it, or the context does not use it) and nothing would
	 * watch it. Releases it as well if start-up failed or the context closed first.
	 */
	static final class Handover
			implements Supplier<LockAcquisition>, BeanFactoryInitializer<ConfigurableListableBeanFactory> {

		private final AtomicReference<LockAcquisition> acquisition = new AtomicReference<>();

		void set(LockAcquisition acquisition) {
			this.acquisition.set(acquisition);
		}

		boolean isPending() {
			return this.acquisition.get() != null;
		}

		/**
		 * Hand the acquisition over; later calls return {@code null}.
		 * @return the acquisition, or {@code null}
		 */
		@Override
		public @Nullable LockAcquisition get() {
			return this.acquisition.getAndSet(null);
		}

		/**
		 * Release the lease if no bean took it over: every bean factory post-processor,
		 * {@link EarlyLockAcquisition} included, has run.
		 * @param beanFactory the bean factory
		 */
		@Override
		public void initialize(ConfigurableListableBeanFactory beanFactory) {
			LockAcquisition untaken = get();
			if (untaken != null) {
				logger.warn("Releasing lock '" + untaken.lease().lockName()
						+ "', taken before the context existed (forward.lock.acquire-early): no bean of the "
						+ "application context takes it over. If forward-lock is excluded from this application, "
						+ "set forward.lock.enabled=false so that no lock is taken");
				release(untaken);
			}
		}

		void releaseUntaken(String why) {
			LockAcquisition untaken = get();
			if (untaken == null) {
				return;
			}
			logger.debug("Releasing lock '" + untaken.lease().lockName() + "' taken early: " + why);
			release(untaken);
		}

		private static void release(LockAcquisition untaken) {
			try {
				untaken.lease().release();
			}
			catch (LockException ex) {
				logger.warn("Could not release lock '" + untaken.lease().lockName() + "': " + ex.getSummary());
			}
		}

	}

}
