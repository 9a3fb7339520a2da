package io.forwardlock.autoconfigure;

import java.util.List;

import javax.sql.DataSource;

import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.jdbc.init.PlatformPlaceholderDatabaseDriverResolver;
import org.springframework.boot.sql.init.DatabaseInitializationSettings;
import org.springframework.util.StringUtils;

/**
 * {@link DataSourceScriptDatabaseInitializer} that creates the JDBC backend's lock table
 * from {@code forward.lock.jdbc.schema} according to
 * {@code forward.lock.jdbc.initialize-schema}. Spring Boot orders it among the other
 * database initializers (after Flyway and Liquibase, before JPA), and the lock backend
 * waits for all of them. May be registered as a bean to replace the auto-configured one.
 * <p>
 * MariaDB and MySQL share one script, {@code schema-mysql.sql}, whichever driver
 * connects.
 */
public class ForwardLockJdbcSchemaInitializer extends DataSourceScriptDatabaseInitializer {

	/**
	 * Create a new instance.
	 * @param dataSource the data source of the lock table
	 * @param properties the initialization properties
	 * @see #getSettings
	 */
	public ForwardLockJdbcSchemaInitializer(DataSource dataSource, ForwardLockJdbcInitializationProperties properties) {
		this(dataSource, getSettings(dataSource, properties));
	}

	/**
	 * Create a new instance.
	 * @param dataSource the data source of the lock table
	 * @param settings the database initialization settings
	 * @see #getSettings
	 */
	public ForwardLockJdbcSchemaInitializer(DataSource dataSource, DatabaseInitializationSettings settings) {
		super(dataSource, settings);
	}

	/**
	 * Adapt {@link ForwardLockJdbcInitializationProperties} to
	 * {@link DatabaseInitializationSettings}, replacing {@code @@platform@@} in the
	 * schema location by {@code forward.lock.jdbc.platform}, or by the platform of the
	 * database behind the data source.
	 * @param dataSource the data source of the lock table
	 * @param properties the initialization properties
	 * @return the settings
	 */
	public static DatabaseInitializationSettings getSettings(DataSource dataSource,
			ForwardLockJdbcInitializationProperties properties) {
		DatabaseInitializationSettings settings = new DatabaseInitializationSettings();
		settings.setSchemaLocations(resolveSchemaLocations(dataSource, properties));
		settings.setMode(properties.getInitializeSchema());
		settings.setContinueOnError(properties.isContinueOnError());
		return settings;
	}

	private static List<String> resolveSchemaLocations(DataSource dataSource,
			ForwardLockJdbcInitializationProperties properties) {
		// One script serves MariaDB through either driver
		PlatformPlaceholderDatabaseDriverResolver resolver = new PlatformPlaceholderDatabaseDriverResolver()
			.withDriverPlatform(DatabaseDriver.MARIADB, "mysql");
		if (StringUtils.hasText(properties.getPlatform())) {
			return resolver.resolveAll(properties.getPlatform(), properties.getSchema());
		}
		return resolver.resolveAll(dataSource, properties.getSchema());
	}

}
