package io.forwardlock.autoconfigure;

import java.util.List;

import io.forwardlock.lifecycle.ForwardLock;
import io.forwardlock.lifecycle.LockStatusProvider;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Applies {@code forward.lock.enabled=false} when the application runs: removes the beans
 * that would take the lock (the lifecycle, the backend, the request, the lost-lock
 * handler and the readiness that follows it) and, unless the application provides a
 * {@link LockStatusProvider} of its own, those that report on it (health, info, metrics
 * and the endpoint), so that a disabled guard neither locks nor reports a lock that does
 * not exist. Guarded work that injects {@link ForwardLock} still starts: a
 * {@link DisabledForwardLock} takes the lifecycle's place, and its {@code ensureHeld()}
 * lets the work run.
 * <p>
 * Why not a condition on the auto-configuration? Spring AOT evaluates conditions once,
 * when the application is built: an application built with the guard disabled would then
 * run unguarded even with {@code forward.lock.enabled=true}, silently. This
 * post-processor runs when the context refreshes, so the value in effect when the
 * application runs decides, with or without AOT. It leaves every bean alone while AOT
 * processing runs, so that the generated code always holds the complete guard.
 */
final class DisabledForwardLockPostProcessor implements BeanFactoryPostProcessor, EnvironmentAware, Ordered {

	/**
	 * Beans that act on the lock. The backend factories stay: creating one has no side
	 * effects, and other auto-configurations may refer to them.
	 */
	static final List<String> GUARD_BEAN_NAMES = List.of("forwardLockLifecycle",
			ForwardLockAutoConfiguration.BACKEND_BEAN_NAME, ForwardLockAutoConfiguration.REQUEST_BEAN_NAME,
			"forwardLockLostHandler", "forwardLockLostReadiness");

	/**
	 * Name of the {@link DisabledForwardLock} that takes the lifecycle's place as the
	 * {@link ForwardLock}.
	 */
	static final String DISABLED_LOCK_BEAN_NAME = "forwardLock";

	/**
	 * Beans that report the lock, removed unless the application provides a
	 * {@link LockStatusProvider} of its own (as the actuator auto-configurations'
	 * {@code @ConditionalOnBean} would decide).
	 */
	static final List<String> REPORTING_BEAN_NAMES = List.of("forwardLockHealthIndicator", "forwardLockInfoContributor",
			"forwardLockEndpoint", "forwardLockMetrics", "forwardLockMetricsListener");

	private Environment environment;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public int getOrder() {
		// Before the early acquisition (lowest precedence) looks at the backend beans
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
		if (isEnabled(this.environment) || AotProcessing.isRunning()
				|| !(beanFactory instanceof BeanDefinitionRegistry registry)) {
			return;
		}
		remove(registry, GUARD_BEAN_NAMES);
		if (beanFactory.getBeanNamesForType(ForwardLock.class, true, false).length == 0
				&& !registry.containsBeanDefinition(DISABLED_LOCK_BEAN_NAME)) {
			// an instance supplier, no reflection: this runs in native images too
			registry.registerBeanDefinition(DISABLED_LOCK_BEAN_NAME,
					new RootBeanDefinition(DisabledForwardLock.class, DisabledForwardLock::new));
		}
		if (beanFactory.getBeanNamesForType(LockStatusProvider.class, true, false).length == 0) {
			remove(registry, REPORTING_BEAN_NAMES);
		}
	}

	private static void remove(BeanDefinitionRegistry registry, List<String> names) {
		for (String name : names) {
			if (registry.containsBeanDefinition(name)) {
				registry.removeBeanDefinition(name);
			}
		}
	}

	static boolean isEnabled(Environment environment) {
		return Binder.get(environment).bind("forward.lock.enabled", Boolean.class).orElse(true);
	}

}
