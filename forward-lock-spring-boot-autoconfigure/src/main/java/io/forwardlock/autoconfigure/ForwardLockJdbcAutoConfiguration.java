package io.forwardlock.autoconfigure;

import java.util.List;

import javax.sql.DataSource;

import io.forwardlock.autoconfigure.ForwardLockProperties.Backend;
import io.forwardlock.lock.jdbc.JdbcLockBackend;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.EmbeddedDatabaseConnection;
import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.sql.init.DatabaseInitializationSettings;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

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
 * backend is selected. With Spring Boot's JDBC support on the class path, the lock table
 * is created by a {@link ForwardLockJdbcSchemaInitializer}, ordered among the
 * application's other database initializers; it runs only when the JDBC backend is
 * selected, as decided when the application runs.
 */
@AutoConfiguration(before = ForwardLockAutoConfiguration.class,
		afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(DataSource.class)
@EnableConfigurationProperties(ForwardLockProperties.class)
public final class ForwardLockJdbcAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "forwardLockJdbcBackendFactory")
	JdbcLockBackendFactory forwardLockJdbcBackendFactory(ObjectProvider<DataSource> dataSource,
			ForwardLockProperties properties) {
		return new JdbcLockBackendFactory(dataSource, properties);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(DataSourceScriptDatabaseInitializer.class)
	@ConditionalOnSingleCandidate(DataSource.class)
	@EnableConfigurationProperties(ForwardLockJdbcInitializationProperties.class)
	@Import(DatabaseInitializationDependencyConfigurer.class)
	static class SchemaInitializationConfiguration {

		@Bean
		@ConditionalOnMissingBean(ForwardLockJdbcSchemaInitializer.class)
		ForwardLockJdbcSchemaInitializer forwardLockJdbcSchemaInitializer(DataSource dataSource,
				ForwardLockProperties properties, ForwardLockJdbcInitializationProperties initialization) {
			DatabaseInitializationSettings settings = ForwardLockJdbcSchemaInitializer.getSettings(dataSource,
					initialization);
			if (!properties.isEnabled() || properties.getBackend() != Backend.JDBC) {
				// Decided now, when the application runs, not by a condition that Spring
				// AOT would fix when it is built
				settings.setMode(DatabaseInitializationMode.NEVER);
			}
			else if (createsOnlyTheDefaultTable(initialization) && wouldRun(settings, dataSource)) {
				checkTableName(properties.getJdbc().getTableName(), settings.getSchemaLocations());
			}
			return new ForwardLockJdbcSchemaInitializer(dataSource, settings);
		}

		private static boolean createsOnlyTheDefaultTable(ForwardLockJdbcInitializationProperties initialization) {
			return ForwardLockJdbcInitializationProperties.DEFAULT_SCHEMA_LOCATION.equals(initialization.getSchema());
		}

		private static boolean wouldRun(DatabaseInitializationSettings settings, DataSource dataSource) {
			return settings.getMode() == DatabaseInitializationMode.ALWAYS
					|| (settings.getMode() == DatabaseInitializationMode.EMBEDDED
							&& EmbeddedDatabaseConnection.isEmbedded(dataSource));
		}

		/**
		 * The scripts in forward-lock's jar create the default table only: another table
		 * name needs a script of the application's own, rather than SQL rewritten here.
		 */
		private static void checkTableName(String tableName, List<String> scripts) {
			if (!JdbcLockBackend.DEFAULT_TABLE_NAME.equals(JdbcLockBackend.validateTableName(tableName))) {
				throw new IllegalStateException("forward.lock.jdbc.table-name=" + tableName
						+ " needs a schema script that creates that table, but forward.lock.jdbc.schema is the "
						+ "default, " + scripts + ", which creates " + JdbcLockBackend.DEFAULT_TABLE_NAME
						+ ". Copy that script with the table renamed and set forward.lock.jdbc.schema to it "
						+ "(classpath:...), or create the table in your own migrations and set "
						+ "forward.lock.jdbc.initialize-schema=never");
			}
		}

	}

}
