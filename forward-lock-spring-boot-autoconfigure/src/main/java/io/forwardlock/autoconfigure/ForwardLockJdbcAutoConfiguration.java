package io.forwardlock.autoconfigure;

import javax.sql.DataSource;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of the JDBC lock backend's {@link LockBackendFactory}, used with
 * {@code forward.lock.backend=jdbc}. The backend locks in the application's only (or
 * primary) {@link DataSource}, looked up when the backend is created. Without such a data
 * source, start-up fails and says what to add: a JDBC backend that quietly fell back to a
 * lock file would let two hosts run at once.
 * <p>
 * The factory is defined whichever backend is selected, so that the choice is made when
 * the application runs, also with Spring AOT; it touches the database only when the JDBC
 * backend is selected.
 */
@AutoConfiguration(before = ForwardLockAutoConfiguration.class,
		afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(DataSource.class)
@EnableConfigurationProperties(ForwardLockProperties.class)
public final class ForwardLockJdbcAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "forwardLockJdbcBackendFactory")
	JdbcLockBackendFactory forwardLockJdbcBackendFactory(ObjectProvider<DataSource> dataSource,
			ObjectProvider<ForwardLockJdbcSchemaInitializer> schemaInitializer, ForwardLockProperties properties) {
		return new JdbcLockBackendFactory(dataSource, schemaInitializer, properties);
	}

}
