package io.forwardlock.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.BeanFactoryUtils;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.Lifecycle;
import org.springframework.context.LifecycleProcessor;
import org.springframework.context.Phased;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ApplicationContextEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.context.event.ContextStartedEvent;

/**
 * The guarded work of an application: every lifecycle bean of a later phase than the
 * lock's (schedulers, message listeners, the application's own lifecycles), in the lock's
 * own context and in the child contexts that share its lock. Stops them, latest phase
 * first as a context shutdown would, when the lock is lost, and starts the same beans
 * again, earliest phase first, once it is held again.
 * <p>
 * From a loss until the lock is held again the work is <em>suspended</em>: a bean that a
 * context starts meanwhile (a later phase of a refresh still under way when the loss was
 * reported, a child context refreshed on standby) is stopped as soon as that context has
 * started its beans, because a loss stops only what runs at that moment. A restart
 * happens only while the acquisition that asks for it still holds the lock and the
 * context is not closing; it runs under the same monitor as a stop, so that a loss
 * reported during a restart stops what the restart started. A context that is stopped
 * ({@code context.stop()}) stops its guarded beans before the lock: what a restart
 * started after the context found them stopped is stopped with the lock, before it is
 * released.
 * <p>
 * The embedded web server stays up, so that the management endpoints can report the loss
 * and an orchestrator can read readiness; a request handler that has side effects guards
 * them with {@link ForwardLock#ensureHeld()}.
 */
final class GuardedLifecycles {

	private static final Log logger = LogFactory.getLog(GuardedLifecycles.class);

	/**
	 * Boot's lifecycle beans of the embedded web server (servlet and reactive).
	 */
	private static final Set<String> WEB_SERVER_BEANS = Set.of("webServerStartStop", "webServerGracefulShutdown");

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

	private final ConfigurableListableBeanFactory beanFactory;

	private final Object lock;

	private final int lockPhase;

	/**
	 * Bean factories of the child contexts that share the lock, once they have started.
	 */
	private final List<ConfigurableListableBeanFactory> children = new ArrayList<>();

	private final List<Lifecycle> stopped = new ArrayList<>();

	/**
	 * Beans that the last restart started, until a loss stops them or the context starts
	 * the lock again.
	 */
	private final List<Lifecycle> restarted = new ArrayList<>();

	private boolean suspended;

	private boolean closing;

	GuardedLifecycles(ConfigurableListableBeanFactory beanFactory, Object lock, int lockPhase) {
		this.beanFactory = beanFactory;
		this.lock = lock;
		this.lockPhase = lockPhase;
	}

	/**
	 * Forget an earlier acquisition: the context is about to take the lock and start its
	 * beans itself, so nothing is suspended or owed a restart.
	 */
	synchronized void reset() {
		this.suspended = false;
		this.closing = false;
		this.stopped.clear();
		this.restarted.clear();
	}

	/**
	 * Stop every running guarded bean and remember it; the work stays suspended until
	 * {@link #restart(BooleanSupplier, Runnable)}.
	 */
	synchronized void stop() {
		this.suspended = true;
		this.restarted.clear();
		stopRunning("after the lock was lost");
	}

	/**
	 * Stop the beans of the lock's own context that a restart started and that still run,
	 * because the lock is about to be released. When the context stops, it stops its
	 * guarded beans before the lock: a restart that ends in between, as a standby
	 * takeover may while the context is stopped, would leave them running after the
	 * context stopped and without the lock. Child contexts are left alone, as a stop of
	 * this context leaves them.
	 */
	synchronized void lockStopping() {
		if (this.restarted.isEmpty()) {
			return;
		}
		List<Lifecycle> own = guarded(this.beanFactory);
		List<Lifecycle> toStop = this.restarted.stream()
			.filter((bean) -> own.stream().anyMatch((ownBean) -> ownBean == bean))
			.toList();
		this.restarted.clear();
		stopLatestPhaseFirst(toStop, "because the context was stopped while a standby takeover started them");
	}

	/**
	 * Start the beans that were stopped again, provided that the lock is still held by
	 * the acquisition that asks and the context is not closing. A loss reported from the
	 * moment of the check on waits for this method, then stops what it started.
	 * @param stillHeld whether the acquisition that asks still holds the lock
	 * @param onRestarted called once the work runs again, before a later loss can be
	 * reacted to
	 */
	synchronized void restart(BooleanSupplier stillHeld, Runnable onRestarted) {
		if (this.closing || !stillHeld.getAsBoolean()) {
			logger.info("Not starting the lifecycle beans that run under the lock again: "
					+ (this.closing ? "the context is closing" : "the lock was lost again"));
			return;
		}
		this.suspended = false;
		List<Lifecycle> toStart = this.stopped.stream()
			.sorted(Comparator.comparingInt(GuardedLifecycles::phase))
			.toList();
		this.stopped.clear();
		this.restarted.clear();
		for (Lifecycle bean : toStart) {
			if (!bean.isRunning()) {
				bean.start();
				this.restarted.add(bean);
			}
		}
		if (!toStart.isEmpty()) {
			logger.info("Started " + toStart.size() + " lifecycle bean(s) that run under the lock again");
		}
		onRestarted.run();
	}

	/**
	 * Follow the contexts that share the lock. Once one has started its lifecycle beans
	 * (a refresh or a start completed), take it in if it is a child without a lock of its
	 * own, and stop what started while the work is suspended. Once the lock's own context
	 * closes, start nothing again: the context stops its beans itself. Forget a child
	 * that closes.
	 * @param event an event of this context or of a descendant
	 */
	synchronized void contextEvent(ApplicationContextEvent event) {
		if (!(event.getApplicationContext() instanceof ConfigurableApplicationContext context)) {
			return;
		}
		ConfigurableListableBeanFactory factory = context.getBeanFactory();
		if (event instanceof ContextClosedEvent) {
			closed(factory);
		}
		else if (event instanceof ContextRefreshedEvent || event instanceof ContextStartedEvent) {
			started(context, factory);
		}
	}

	private void started(ApplicationContext context, ConfigurableListableBeanFactory factory) {
		if (factory != this.beanFactory) {
			if (!sharesTheLock(context)) {
				return;
			}
			if (!this.children.contains(factory)) {
				this.children.add(factory);
			}
		}
		if (this.suspended) {
			stopRunning("that started while the lock was not held");
		}
	}

	private void closed(ConfigurableListableBeanFactory factory) {
		if (factory == this.beanFactory) {
			this.closing = true;
			return;
		}
		if (this.children.remove(factory)) {
			// the child stops its own beans; none of them may be started again
			List<Lifecycle> ofChild = guarded(factory);
			this.stopped.removeIf((bean) -> ofChild.stream().anyMatch((child) -> child == bean));
		}
	}

	/**
	 * Whether the nearest context with a lock of its own, from this one up to the root,
	 * is the lock's own context: a child built with
	 * {@code SpringApplicationBuilder.child} has none and shares its parent's.
	 */
	private boolean sharesTheLock(ApplicationContext context) {
		for (ApplicationContext current = context; current != null; current = current.getParent()) {
			if (current instanceof ConfigurableApplicationContext configurable
					&& configurable.getBeanFactory() == this.beanFactory) {
				return true;
			}
			if (current.getBeanNamesForType(ForwardLockLifecycle.class, true, false).length > 0) {
				return false;
			}
		}
		return false;
	}

	private void stopRunning(String why) {
		List<Lifecycle> guarded = new ArrayList<>(guarded(this.beanFactory));
		this.children.forEach((child) -> guarded.addAll(guarded(child)));
		for (Lifecycle bean : stopLatestPhaseFirst(guarded, why)) {
			if (this.stopped.stream().noneMatch((known) -> known == bean)) {
				this.stopped.add(bean);
			}
		}
	}

	/**
	 * Stop those of the beans that run, latest phase first.
	 * @return the beans that stopped
	 */
	private List<Lifecycle> stopLatestPhaseFirst(List<Lifecycle> beans, String why) {
		List<Lifecycle> running = beans.stream()
			.filter(Lifecycle::isRunning)
			.sorted(Comparator.comparingInt(GuardedLifecycles::phase).reversed())
			.toList();
		List<Lifecycle> stoppedNow = new ArrayList<>();
		for (Lifecycle bean : running) {
			try {
				stop(bean);
				stoppedNow.add(bean);
			}
			catch (RuntimeException ex) {
				logger.warn("Could not stop " + bean + " " + why, ex);
			}
		}
		if (!running.isEmpty()) {
			logger.info("Stopped " + running.size() + " lifecycle bean(s) that run under the lock " + why);
		}
		return stoppedNow;
	}

	private void stop(Lifecycle bean) {
		if (!(bean instanceof SmartLifecycle smart)) {
			bean.stop();
			return;
		}
		CountDownLatch done = new CountDownLatch(1);
		smart.stop(done::countDown);
		try {
			if (!done.await(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				logger.warn(bean + " did not finish stopping within " + STOP_TIMEOUT);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private List<Lifecycle> guarded(ConfigurableListableBeanFactory factory) {
		List<Lifecycle> beans = new ArrayList<>();
		for (String name : factory.getBeanNamesForType(Lifecycle.class, false, false)) {
			String singleton = BeanFactoryUtils.transformedBeanName(name);
			if (WEB_SERVER_BEANS.contains(singleton) || !factory.containsSingleton(singleton)) {
				continue;
			}
			Object bean = factory.getBean(name);
			if (bean != this.lock && bean instanceof Lifecycle lifecycle && !(bean instanceof LifecycleProcessor)
					&& !(bean instanceof ForwardLockLifecycle) && phase(lifecycle) > this.lockPhase) {
				beans.add(lifecycle);
			}
		}
		return beans;
	}

	private static int phase(Lifecycle bean) {
		return (bean instanceof Phased phased) ? phased.getPhase() : 0;
	}

}
