package io.forwardlock.autoconfigure;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.forwardlock.diagnostics.LockStartupException;
import io.forwardlock.lifecycle.LockAcquirer;
import io.forwardlock.lifecycle.LockAcquisition;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.AotDetector;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.builder.ParentContextApplicationContextInitializer;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.event.SpringApplicationEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Turns an obvious duplicate away as soon as Boot has prepared the environment, before
 * the banner, the application context or any bean exists, so that a running instance is
 * found first. Registered in {@code META-INF/spring.factories}, so it runs in every
 * {@code SpringApplication} that has forward-lock on its class path, once all
 * {@code forward.lock.*} settings are known.
 * <p>
 * Only the auto-configured file backend is handled this early: it needs nothing but the
 * settings, while any other backend needs application beans (the JDBC backend needs the
 * {@code DataSource}) and keeps the checks of the context refresh.
 * <ul>
 * <li><b>The probe</b> ({@code forward.lock.early-probe}, on by default) asks the backend
 * who holds the lock without taking it. The file backend's inspection consults the
 * JVM-wide registry first, so it never opens, and so never closes, a descriptor of a lock
 * file that this JVM holds. If another instance (or another context of this JVM) holds
 * the lock, start-up ends at once with the usual "APPLICATION FAILED TO START" report and
 * exit code. It stays out of the way of a standby and of retries, and, with the heartbeat
 * on, of a holder that may have stopped heartbeating (see
 * {@link FileLockBackend#mayBeTakenOver(LockRequest)}). The lock itself is still taken by
 * the lifecycle during the refresh; a holder that leaves between the probe and the
 * refresh simply lets this instance start.</li>
 * <li><b>{@code forward.lock.acquire-early}</b> takes the lock right here, following the
 * usual retries and standby. A standby then waits before anything of the application
 * exists: a cold standby that holds no pools and creates no beans until it has the lock.
 * The lease is handed to {@link EarlyLockAcquisition} and from there to the lifecycle; if
 * the context turns out not to use the auto-configured file backend, it is released and
 * the context's own backend is used.</li>
 * </ul>
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
		// Right after logging is initialized, so that what happens here is logged as
		// configured
		return LoggingApplicationListener.DEFAULT_ORDER + 1;
	}

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
			this.application = prepared.getSpringApplication();
			environmentPrepared(prepared);
		}
		else if (event instanceof ApplicationPreparedEvent prepared && isOwn(prepared)) {
			contextPrepared(prepared);
		}
		else if (event instanceof ApplicationFailedEvent failed && isOwn(failed)) {
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
		ConfigurableEnvironment environment = event.getEnvironment();
		if (AotProcessing.isRunning() || !isGuarded(environment) || hasParent(event)) {
			return;
		}
		ForwardLockProperties properties;
		try {
			properties = EarlyLockAcquisition.bind(environment);
		}
		catch (RuntimeException ex) {
			// The context binds them again and reports the mistake with its usual
			// analysis
			logger.debug("Not checking the instance lock early: the forward.lock settings do not bind", ex);
			return;
		}
		if (properties.getBackend() != ForwardLockProperties.Backend.FILE) {
			return;
		}
		LockRequest request = ForwardLockRequests.request(properties, environment);
		FileLockBackend backend = ForwardLockRequests.fileBackend(properties, request);
		EarlyLockEvents events = new EarlyLockEvents(event.getSpringApplication(),
				event.getSpringApplication().getListeners(), backend, request, properties);
		if (properties.isAcquireEarly() && !AotDetector.useGeneratedArtifacts()) {
			acquire(backend, request, properties, events);
		}
		else if (isProbed(properties)) {
			probe(backend, request, properties, events);
		}
	}

	private void acquire(FileLockBackend backend, LockRequest request, ForwardLockProperties properties,
			EarlyLockEvents events) {
		logger.debug("Acquiring lock '" + request.name() + "' before the application context exists");
		long started = System.nanoTime();
		try {
			this.handover.set(new LockAcquirer(backend, request, ForwardLockRequests.policy(properties))
				.acquire((holder) -> waitCold(request)));
		}
		catch (LockStartupException ex) {
			events.refused(ex, Duration.ofNanos(System.nanoTime() - started), properties.getMaxRetries() + 1);
			throw ex;
		}
	}

	private static void waitCold(LockRequest request) {
		logger.info("Standby is cold: no application bean exists until lock '" + request.name() + "' is taken");
		// The wait may last for hours and allocates nothing: give back what start-up
		// left behind first
		ColdStandby.prepareToWait();
	}

	private void probe(FileLockBackend backend, LockRequest request, ForwardLockProperties properties,
			EarlyLockEvents events) {
		long started = System.nanoTime();
		Optional<HolderRecord> holder;
		try {
			holder = backend.inspect(request);
		}
		catch (LockException ex) {
			// The refresh acquires the lock and reports the problem with all it knows
			logger.debug("Early probe could not tell who holds lock '" + request.name() + "': " + ex.getSummary());
			return;
		}
		if (holder.isEmpty() || mayBeTakenOver(backend, request)) {
			return;
		}
		LockStartupException refusal = new LockStartupException(backend.instanceRunning(holder.get(), request),
				properties.getExitCode());
		events.refused(refusal, Duration.ofNanos(System.nanoTime() - started), 1);
		throw refusal;
	}

	/**
	 * With the heartbeat on, a holder that stopped heartbeating may be taken over, but
	 * only by a contender that watched its lock file stay unchanged for the holder's
	 * stale timeout plus interval: a judgement that takes time the probe does not spend.
	 * So the probe refuses only a holder that can certainly not be taken over (it
	 * declared no heartbeat, or heartbeated within its stale timeout) and leaves any
	 * other to the lifecycle.
	 */
	private static boolean mayBeTakenOver(FileLockBackend backend, LockRequest request) {
		if (!request.heartbeatEnabled() || !backend.mayBeTakenOver(request)) {
			return false;
		}
		logger.debug("Early probe leaves lock '" + request.name()
				+ "' to the lifecycle: its holder may have stopped heartbeating");
		return true;
	}

	private void contextPrepared(ApplicationPreparedEvent event) {
		this.context = event.getApplicationContext();
		if (this.handover.isPending()) {
			event.getApplicationContext().getBeanFactory().registerSingleton(HANDOVER_BEAN_NAME, this.handover);
		}
	}

	private static boolean isProbed(ForwardLockProperties properties) {
		return properties.isEarlyProbe() && !properties.isStandby() && properties.getMaxRetries() == 0;
	}

	private static boolean isGuarded(ConfigurableEnvironment environment) {
		if (!DisabledForwardLockPostProcessor.isEnabled(environment)) {
			return false;
		}
		String[] excluded = environment.getProperty("spring.autoconfigure.exclude", String[].class, new String[0]);
		return Arrays.stream(excluded)
			.map(String::trim)
			.noneMatch(ForwardLockAutoConfiguration.class.getName()::equals);
	}

	private static boolean hasParent(ApplicationEnvironmentPreparedEvent event) {
		return event.getSpringApplication()
			.getInitializers()
			.stream()
			.anyMatch(ParentContextApplicationContextInitializer.class::isInstance);
	}

	/**
	 * Carries a lease taken while the environment was prepared into the context, where
	 * {@link EarlyLockAcquisition} takes it. Releases it if nobody took it by the time
	 * start-up failed or the context closed.
	 */
	static final class Handover implements Supplier<LockAcquisition> {

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

		void releaseUntaken(String why) {
			LockAcquisition untaken = get();
			if (untaken == null) {
				return;
			}
			logger.debug("Releasing lock '" + untaken.lease().lockName() + "' taken early: " + why);
			try {
				untaken.lease().release();
			}
			catch (LockException ex) {
				logger.warn("Could not release lock '" + untaken.lease().lockName() + "': " + ex.getSummary());
			}
		}

	}

}
