package io.forwardlock.autoconfigure;

import java.util.Arrays;
import java.util.function.Supplier;

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
import org.springframework.context.EnvironmentAware;
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
 * <li>The auto-configured file backend needs no other bean. The lock is taken while bean
 * factory post-processors run, before any other bean is created, the embedded web server
 * included. The properties are bound straight from the environment here, since the
 * {@link ForwardLockProperties} bean is not bound that early.</li>
 * <li>Any other backend bean (the JDBC backend, which needs the {@code DataSource}, or a
 * backend of your own) is a bean with dependencies that must be fully processed. The lock
 * is taken as a {@link BeanFactoryInitializer}: after bean post-processors exist and
 * right before the singletons are created. The embedded web server object exists by then,
 * but it has not started and binds no port.</li>
 * </ul>
 */
final class EarlyLockAcquisition
		implements BeanFactoryPostProcessor, BeanFactoryInitializer<ConfigurableListableBeanFactory>, EnvironmentAware,
		DisposableBean, Ordered, Supplier<LockAcquisition> {

	private static final Log logger = LogFactory.getLog(EarlyLockAcquisition.class);

	private Environment environment;

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
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
		ForwardLockProperties properties = bind(this.environment);
		if (!usesOnlyAutoConfiguredFileBackend(beanFactory, properties)) {
			return;
		}
		LockRequest request = ForwardLockRequests.request(properties, this.environment);
		acquire(ForwardLockRequests.fileBackend(properties, request), request, properties);
	}

	@Override
	public void initialize(ConfigurableListableBeanFactory beanFactory) {
		if (this.attempted) {
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
		this.acquisition = new LockAcquirer(backend, request, ForwardLockRequests.policy(properties))
			.acquire((holder) -> {
			});
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

	static ForwardLockProperties bind(Environment environment) {
		return Binder.get(environment)
			.bindOrCreate("forward.lock", Bindable.of(ForwardLockProperties.class),
					new ValidationBindHandler(new ForwardLockProperties()));
	}

}
