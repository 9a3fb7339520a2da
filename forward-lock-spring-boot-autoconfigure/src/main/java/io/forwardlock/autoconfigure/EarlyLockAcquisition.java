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
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.BeanFactoryInitializer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
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
		ApplicationContextAware, DisposableBean, Ordered, Supplier<LockAcquisition> {

	private static final Log logger = LogFactory.getLog(EarlyLockAcquisition.class);

	private Environment environment;

	private ApplicationContext applicationContext;

	private volatile boolean attempted;

	private volatile LockAcquisition acquisition;

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
		if (taken != null) {
			this.attempted = true;
			this.acquisition = taken;
			return;
		}
		LockRequest request = ForwardLockRequests.request(properties, this.environment);
		acquire(ForwardLockRequests.fileBackend(properties, request), request, properties);
	}

	@Override
	public void initialize(ConfigurableListableBeanFactory beanFactory) {
		if (this.attempted || AotProcessing.isRunning()) {
			return;
		}
		acquire(beanFactory.getBean(LockBackend.class), beanFactory.getBean(LockRequest.class),
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
		try {
			this.acquisition = new LockAcquirer(backend, request, ForwardLockRequests.policy(properties))
				.acquire((holder) -> {
				});
		}
		catch (LockStartupException ex) {
			// The context's own multicaster does not exist yet, nor does the lifecycle
			new EarlyLockEvents(this.applicationContext, applicationListeners(), backend, request, properties)
				.refused(ex, Duration.ofNanos(System.nanoTime() - started), properties.getMaxRetries() + 1);
			throw ex;
		}
	}

	private Collection<ApplicationListener<?>> applicationListeners() {
		return (this.applicationContext instanceof AbstractApplicationContext context)
				? context.getApplicationListeners() : List.of();
	}

	/**
	 * Hand the early acquisition over; later calls return {@code null}.
	 * @return the acquisition, or {@code null}
	 */
	@Override
	public LockAcquisition get() {
		LockAcquisition taken = this.acquisition;
		this.acquisition = null;
		return taken;
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
