package io.forwardlock.autoconfigure;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

import io.forwardlock.diagnostics.LockStartupException;
import io.forwardlock.lifecycle.ForwardLockLifecycle;
import io.forwardlock.lifecycle.LockAcquirer;
import io.forwardlock.lifecycle.LockAcquisition;
import io.forwardlock.lifecycle.LockLostEvent;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import io.forwardlock.lock.file.FileLockBackend;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactoryInitializer;
import org.springframework.beans.factory.BeanNameAware;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.NamedBeanHolder;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationListener;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Takes the lock before the context creates its application singletons
 * ({@code forward.lock.acquire-early=true}), so that a refused instance never ran
 * migrations, {@code @PostConstruct} side effects or connection pools. The
 * {@link io.forwardlock.lifecycle.ForwardLockLifecycle} takes the lease over in its
 * {@code start()} and releases it as usual.
 * <p>
 * When is "early"? It depends on what the backend needs:
 * <ul>
 * <li>The auto-configured file backend needs no other bean. {@link EarlyLockGuard} takes
 * the lock as soon as the environment is prepared, before the context exists, and this
 * class takes the lease over from it. Where that did not happen (a context created
 * without {@code SpringApplication}, or with AOT-generated artifacts), the lock is taken
 * while bean factory post-processors run, before any other bean is created, the embedded
 * web server included. The properties are bound straight from the environment here, since
 * the {@link ForwardLockProperties} bean is not bound that early.</li>
 * <li>Any other backend bean (the JDBC backend, which needs the {@code DataSource}, or a
 * backend of your own) is a bean with dependencies that must be fully processed. The lock
 * is taken as a {@link BeanFactoryInitializer}: after bean post-processors exist and
 * right before the singletons are created. The embedded web server object exists by then,
 * but it has not started and binds no port.</li>
 * </ul>
 * A context without a {@link ForwardLockLifecycle} of its own (a child context built with
 * {@code SpringApplicationBuilder.child}, whose lock is held by its parent's lifecycle)
 * takes nothing.
 * <p>
 * A refusal is published as a {@link io.forwardlock.lifecycle.LockAcquireFailedEvent} to
 * the listeners registered with the context so far (those of the
 * {@code SpringApplication}), since the context cannot publish events yet.
 */
final class EarlyLockAcquisition
		implements BeanFactoryPostProcessor, BeanFactoryInitializer<ConfigurableListableBeanFactory>, EnvironmentAware,
		ApplicationContextAware, BeanNameAware, DisposableBean, Ordered, Supplier<LockAcquisition> {

	private static final Log logger = LogFactory.getLog(EarlyLockAcquisition.class);

	private Environment environment;

	private @Nullable ApplicationContext applicationContext;

	private @Nullable String beanName;

	private volatile boolean attempted;

	private volatile @Nullable LockAcquisition acquisition;

	private volatile @Nullable EarlyLockEvents events;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public int getOrder() {
		// After every other post-processor, so that all bean definitions are known
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void setApplicationContext(ApplicationContext applicationContext) {
		this.applicationContext = applicationContext;
	}

	@Override
	public void setBeanName(String name) {
		this.beanName = name;
	}

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
		if (AotProcessing.isRunning()) {
			// Building the application, not running it: nothing may take the lock
			this.attempted = true;
			return;
		}
		if (!isRequested(this.environment)) {
			// Decided now, not when the application was built (Spring AOT)
			this.attempted = true;
			return;
		}
		if (beanFactory.getBeanNamesForType(ForwardLockLifecycle.class, true, false).length == 0) {
			// A child context (SpringApplicationBuilder.child) whose lock is its
			// parent's: the parent's lifecycle holds it, so there is nothing to take
			this.attempted = true;
			return;
		}
		ForwardLockProperties properties = bind(this.environment);
		EarlyLockGuard.Handover handover = beanFactory.containsSingleton(EarlyLockGuard.HANDOVER_BEAN_NAME)
				? (EarlyLockGuard.Handover) beanFactory.getSingleton(EarlyLockGuard.HANDOVER_BEAN_NAME) : null;
		if (!usesOnlyAutoConfiguredFileBackend(beanFactory, properties)) {
			if (handover != null) {
				// Taken on the default file before the bean definitions were known; the
				// context locks with another backend
				handover.releaseUntaken("the context uses another lock backend");
			}
			return;
		}
		LockAcquisition taken = (handover != null) ? handover.get() : null;
		LockRequest request = ForwardLockRequests.request(properties, this.environment);
		FileLockBackend backend = ForwardLockRequests.fileBackend(properties, request);
		if (taken != null) {
			this.attempted = true;
			this.events = new EarlyLockEvents(this.applicationContext, applicationListeners(), backend, request,
					properties);
			this.acquisition = taken;
			return;
		}
		acquire(backend, request, properties);
	}

	@Override
	public void initialize(ConfigurableListableBeanFactory beanFactory) {
		if (this.attempted || AotProcessing.isRunning()) {
			return;
		}
		NamedBeanHolder<LockBackend> backend = beanFactory.resolveNamedBean(LockBackend.class);
		if (this.beanName != null) {
			// Created before any other bean, this would be destroyed after all of them,
			// and so after the backend and what the backend was created with (a
			// DataSource's pool, a client), which it needs to release a lease that no
			// lifecycle took over (a singleton failed during start-up). Destroyed before
			// the backend, it releases the lease while they still work, and a restart is
			// not refused as a duplicate of this instance.
			beanFactory.registerDependentBean(backend.getBeanName(), this.beanName);
		}
		acquire(backend.getBeanInstance(), beanFactory.getBean(LockRequest.class),
				beanFactory.getBean(ForwardLockProperties.class));
	}

	private boolean usesOnlyAutoConfiguredFileBackend(ConfigurableListableBeanFactory beanFactory,
			ForwardLockProperties properties) {
		return properties.getBackend() == ForwardLockProperties.Backend.FILE
				&& Arrays.equals(beanFactory.getBeanNamesForType(LockBackend.class, true, false),
						new String[] { ForwardLockAutoConfiguration.BACKEND_BEAN_NAME })
				&& Arrays.equals(beanFactory.getBeanNamesForType(LockRequest.class, true, false),
						new String[] { ForwardLockAutoConfiguration.REQUEST_BEAN_NAME });
	}

	private void acquire(LockBackend backend, LockRequest request, ForwardLockProperties properties) {
		this.attempted = true;
		logger.debug("Acquiring lock '" + request.name() + "' before creating application singletons");
		long started = System.nanoTime();
		this.events = new EarlyLockEvents(this.applicationContext, applicationListeners(), backend, request,
				properties);
		try {
			this.acquisition = new LockAcquirer(backend, request, ForwardLockRequests.policy(properties))
				.acquire((holder) -> {
				});
		}
		catch (LockStartupException ex) {
			// The context's own multicaster does not exist yet, nor does the lifecycle
			this.events.refused(ex, Duration.ofNanos(System.nanoTime() - started), properties.getMaxRetries() + 1);
			throw ex;
		}
	}

	private Collection<ApplicationListener<?>> applicationListeners() {
		return (this.applicationContext instanceof AbstractApplicationContext context)
				? context.getApplicationListeners() : List.of();
	}

	/**
	 * Hand the early acquisition over, verified; later calls return {@code null}.
	 * <p>
	 * The lease was taken before the context existed and nothing watched it during the
	 * start-up that followed (a whole start-up for a cold standby). It is verified right
	 * here, before any guarded work may start: a lease that was lost meanwhile (its lock
	 * file deleted and taken by another instance) is published as a
	 * {@link LockLostEvent}, so that it is counted like any loss, released, and not
	 * handed over; the lifecycle then acquires the lock itself, as its settings say
	 * (refused, retried or on standby).
	 * @return the acquisition, or {@code null}
	 */
	@Override
	public @Nullable LockAcquisition get() {
		LockAcquisition taken = this.acquisition;
		this.acquisition = null;
		return (taken != null) ? verified(taken) : null;
	}

	private @Nullable LockAcquisition verified(LockAcquisition taken) {
		LockLease lease = taken.lease();
		Verification verification;
		try {
			verification = lease.verify();
		}
		catch (LockException ex) {
			// Cannot tell now: the lifecycle's watchdog judges failures to verify with
			// its usual patience
			logger.debug("Could not verify lock '" + lease.lockName() + "' taken early: " + ex.getSummary());
			return taken;
		}
		if (verification.isHeld()) {
			return taken;
		}
		logger.warn("Lock '" + lease.lockName() + "' taken before the context existed was lost during start-up ("
				+ verification.detail() + "); acquiring it again");
		if (this.events != null && this.applicationContext != null) {
			this.applicationContext.publishEvent(this.events.lost(verification));
		}
		try {
			lease.release();
		}
		catch (LockException ex) {
			logger.debug("Could not release lock '" + lease.lockName() + "' lost during start-up", ex);
		}
		return null;
	}

	@Override
	public void destroy() {
		LockAcquisition untaken = get();
		if (untaken != null) {
			try {
				untaken.lease().release();
			}
			catch (LockException ex) {
				logger.warn("Could not release lock '" + untaken.lease().lockName() + "': " + ex.getSummary());
			}
		}
	}

	/**
	 * Whether the lock is to be taken early: {@code forward.lock.acquire-early=true} with
	 * the guard enabled, as the environment says when the application runs.
	 * @param environment the environment
	 * @return whether to acquire early
	 */
	static boolean isRequested(Environment environment) {
		return Binder.get(environment).bind("forward.lock.acquire-early", Boolean.class).orElse(false)
				&& DisabledForwardLockPostProcessor.isEnabled(environment);
	}

	static ForwardLockProperties bind(Environment environment) {
		return Binder.get(environment)
			.bindOrCreate("forward.lock", Bindable.of(ForwardLockProperties.class),
					new ValidationBindHandler(new ForwardLockProperties()));
	}

}
