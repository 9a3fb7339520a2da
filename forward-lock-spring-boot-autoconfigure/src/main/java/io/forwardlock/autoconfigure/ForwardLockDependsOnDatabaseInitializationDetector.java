package io.forwardlock.autoconfigure;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

import io.forwardlock.lock.jdbc.JdbcLockBackend;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitializationDetector;

/**
 * Makes the lock backend wait for database initialization: the auto-configured backend
 * and every {@link JdbcLockBackend} bean are created only once Flyway, Liquibase and the
 * script-based initializers (the lock table's own included) have run. That matters when
 * the lock is taken early ({@code forward.lock.acquire-early=true}), as the backend bean
 * is created: the lock table must exist by then. Registered in
 * {@code META-INF/spring.factories}.
 * <p>
 * The auto-configured backend is included whichever backend is selected: bean definitions
 * are fixed when the application is built with Spring AOT, and for the file backend the
 * order of creation changes nothing.
 */
class ForwardLockDependsOnDatabaseInitializationDetector implements DependsOnDatabaseInitializationDetector {

	@Override
	public Set<String> detect(ConfigurableListableBeanFactory beanFactory) {
		Set<String> names = new LinkedHashSet<>(
				Arrays.asList(beanFactory.getBeanNamesForType(JdbcLockBackend.class, true, false)));
		if (beanFactory.containsBeanDefinition(ForwardLockAutoConfiguration.BACKEND_BEAN_NAME)) {
			names.add(ForwardLockAutoConfiguration.BACKEND_BEAN_NAME);
		}
		return names;
	}

}
