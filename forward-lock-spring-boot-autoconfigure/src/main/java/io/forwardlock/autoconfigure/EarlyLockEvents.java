package io.forwardlock.autoconfigure;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;

import io.forwardlock.diagnostics.LockStartupException;
import io.forwardlock.lifecycle.LockAcquireFailedEvent;
import io.forwardlock.lifecycle.LockLostEvent;
import io.forwardlock.lifecycle.LockState;
import io.forwardlock.lifecycle.LockStatus;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationListener;
import org.springframework.context.event.SimpleApplicationEventMulticaster;

/**
 * Publishes a refusal that happens before the application context can publish anything
 * (its event multicaster does not exist yet) to the listeners that are already
 * registered: those of the {@code SpringApplication}. A failing listener is logged and
 * does not hide the refusal.
 * <p>
 * No meter registry exists that early. So that such a refusal is counted in the same
 * meters as any other once one exists, it is also kept, JVM-wide, until the next
 * application context of this JVM that has forward-lock's metrics replays it
 * ({@link #replayUncounted(ApplicationListener)}). A refusal that ends the JVM (the usual
 * case: the process exits with {@code forward.lock.exit-code}) is never counted by a
 * meter registry of its own: none will ever exist in that process.
 */
final class EarlyLockEvents {

	private static final Log logger = LogFactory.getLog(EarlyLockEvents.class);

	/**
	 * Most refusals kept for a later meter registry; only a loop of start-ups in one JVM
	 * could refuse more, and the oldest go first.
	 */
	static final int MAX_UNCOUNTED = 32;

	private static final Deque<LockAcquireFailedEvent> uncounted = new ArrayDeque<>();

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
		LockStatus status = status(LockState.NOT_STARTED, refusal.getHolder(), null);
		SimpleApplicationEventMulticaster multicaster = new SimpleApplicationEventMulticaster();
		multicaster.setErrorHandler((ex) -> logger.warn("A listener failed on an early lock refusal", ex));
		this.listeners.forEach(multicaster::addApplicationListener);
		multicaster
			.multicastEvent(new LockAcquireFailedEvent(this.source, status, duration, attempts, refusal.getFailure()));
		// kept with a source of its own: the application's source may be a failed
		// application context, which a JVM that retries start-ups must not keep alive
		keepUncounted(
				new LockAcquireFailedEvent(EarlyLockEvents.class, status, duration, attempts, refusal.getFailure()));
	}

	/**
	 * The event of a lock taken before the context existed and lost before the lifecycle
	 * took it over; the context, which exists by then, publishes it.
	 * @param verification the verification that found it lost
	 * @return the event
	 */
	LockLostEvent lost(Verification verification) {
		return new LockLostEvent(this.source, status(LockState.LOST, verification.currentHolder(), verification),
				verification.detail(), verification.currentHolder());
	}

	private LockStatus status(LockState state, @Nullable HolderRecord holder, @Nullable Verification verification) {
		return new LockStatus(state, this.backend.id(), this.request.name(),
				this.backend.describeLocation(this.request), holder,
				this.request.heartbeatEnabled() || this.backend.requiresHeartbeat(), this.request.heartbeatInterval(),
				this.request.staleTimeout(), null, this.properties.getVerifyInterval(), verification, null);
	}

	private static void keepUncounted(LockAcquireFailedEvent event) {
		synchronized (uncounted) {
			if (uncounted.size() == MAX_UNCOUNTED) {
				uncounted.removeFirst();
			}
			uncounted.addLast(event);
		}
	}

	/**
	 * Hand the refusals published before any meter registry existed to a listener that
	 * counts them, each once, in the order they happened.
	 * @param listener the listener, usually that of the metrics
	 * @return how many were replayed
	 */
	static int replayUncounted(ApplicationListener<? super LockAcquireFailedEvent> listener) {
		List<LockAcquireFailedEvent> replayed;
		synchronized (uncounted) {
			replayed = new ArrayList<>(uncounted);
			uncounted.clear();
		}
		replayed.forEach(listener::onApplicationEvent);
		return replayed.size();
	}

}
