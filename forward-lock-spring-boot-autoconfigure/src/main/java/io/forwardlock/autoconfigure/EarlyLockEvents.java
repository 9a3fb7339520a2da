package io.forwardlock.autoconfigure;

import java.time.Duration;
import java.util.Collection;

import io.forwardlock.diagnostics.LockStartupException;
import io.forwardlock.lifecycle.LockAcquireFailedEvent;
import io.forwardlock.lifecycle.LockState;
import io.forwardlock.lifecycle.LockStatus;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationListener;
import org.springframework.context.event.SimpleApplicationEventMulticaster;

/**
 * Publishes a refusal that happens before the application context can publish anything
 * (its event multicaster does not exist yet) to the listeners that are already
 * registered: those of the {@code SpringApplication}. A failing listener is logged and
 * does not hide the refusal.
 */
final class EarlyLockEvents {

	private static final Log logger = LogFactory.getLog(EarlyLockEvents.class);

	private final Object source;

	private final Collection<? extends ApplicationListener<?>> listeners;

	private final LockBackend backend;

	private final LockRequest request;

	private final ForwardLockProperties properties;

	EarlyLockEvents(Object source, Collection<? extends ApplicationListener<?>> listeners, LockBackend backend,
			LockRequest request, ForwardLockProperties properties) {
		this.source = source;
		this.listeners = listeners;
		this.backend = backend;
		this.request = request;
		this.properties = properties;
	}

	/**
	 * Publish a {@link LockAcquireFailedEvent}.
	 * @param refusal why start-up ends
	 * @param duration how long was spent trying
	 * @param attempts attempts made
	 */
	void refused(LockStartupException refusal, Duration duration, int attempts) {
		HolderRecord holder = refusal.getHolder();
		LockStatus status = new LockStatus(LockState.NOT_STARTED, this.backend.id(), this.request.name(),
				this.backend.describeLocation(this.request), holder,
				this.request.heartbeatEnabled() || this.backend.requiresHeartbeat(), this.request.heartbeatInterval(),
				this.request.staleTimeout(), null, this.properties.getVerifyInterval(), null, null);
		SimpleApplicationEventMulticaster multicaster = new SimpleApplicationEventMulticaster();
		multicaster.setErrorHandler((ex) -> logger.warn("A listener failed on an early lock refusal", ex));
		this.listeners.forEach(multicaster::addApplicationListener);
		multicaster
			.multicastEvent(new LockAcquireFailedEvent(this.source, status, duration, attempts, refusal.getFailure()));
	}

}
