package io.forwardlock.autoconfigure;

import java.util.List;

import javax.sql.DataSource;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.jdbc.JdbcLockBackend;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of the JDBC lock backend, active with
 * {@code forward.lock.backend=jdbc}. It uses the application's only (or primary)
 * {@link DataSource}, and runs before the main auto-configuration so that the file
 * backend is never defined in its place. When there is no such data source, startup fails
 * and says what to add: a JDBC backend that quietly fell back to a lock file would let
 * two hosts run at once.
 */
@AutoConfiguration(before = ForwardLockAutoConfiguration.class,
		afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(DataSource.class)
@ConditionalOnBooleanProperty(name = "forward.lock.enabled", matchIfMissing = true)
@ConditionalOnProperty(prefix = "forward.lock", name = "backend", havingValue = "jdbc")
@EnableConfigurationProperties(ForwardLockProperties.class)
public final class ForwardLockJdbcAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnSingleCandidate(DataSource.class)
	@ConditionalOnMissingBean(LockBackend.class)
	static class JdbcLockBackendConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ForwardLockJdbcSchemaInitializer forwardLockJdbcSchemaInitializer(DataSource dataSource,
				ForwardLockProperties properties) {
			ForwardLockProperties.Jdbc jdbc = properties.getJdbc();
			return new ForwardLockJdbcSchemaInitializer(dataSource, jdbc.getTableName(), jdbc.getInitializeSchema());
		}

		@Bean
		JdbcLockBackend jdbcLockBackend(DataSource dataSource, ForwardLockProperties properties,
				ObjectProvider<ForwardLockJdbcSchemaInitializer> schemaInitializer) {
			// Resolved first so that the table exists before the lifecycle acquires the
			// lock.
			schemaInitializer.getIfAvailable();
			JdbcLockBackend backend = new JdbcLockBackend(dataSource, properties.getJdbc().getTableName());
			backend.setAllowInMemoryDatabase(properties.getJdbc().isAllowInMemoryDatabase());
			return backend;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Conditional(NoSingleDataSourceCondition.class)
	@ConditionalOnMissingBean(LockBackend.class)
	static class MissingDataSourceConfiguration {

		@Bean
		LockBackend jdbcLockBackend() {
			throw new LockException(LockErrorType.BACKEND_UNAVAILABLE,
					"forward.lock.backend=jdbc needs the application's DataSource, but there is none, or there are "
							+ "several and none is @Primary",
					null, null,
					List.of("Add a JDBC driver and spring-boot-starter-jdbc to the application, and set "
							+ "spring.datasource.url, spring.datasource.username and spring.datasource.password",
							"If the application defines several DataSource beans, mark the one for the lock @Primary",
							"Or lock on this host only: forward.lock.backend=file (FORWARD_LOCK_BACKEND=file)"),
					null);
		}

	}

	static class NoSingleDataSourceCondition extends NoneNestedConditions {

		NoSingleDataSourceCondition() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnSingleCandidate(DataSource.class)
		static class SingleDataSource {

		}

	}

}
