package io.forwardlock.autoconfigure;

import io.forwardlock.lock.jdbc.JdbcLockSchemaInitializer;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.jdbc.init.DatabaseInitializationProperties;

/**
 * Configuration properties for the creation of the JDBC backend's lock table, as Spring
 * Boot has them for Spring Batch and Quartz: {@code forward.lock.jdbc.initialize-schema}
 * ({@code embedded}, {@code always} or {@code never}), {@code forward.lock.jdbc.schema}
 * (the script, with {@code @@platform@@} for the database) and
 * {@code forward.lock.jdbc.platform}. The other {@code forward.lock.jdbc} properties are
 * in {@link ForwardLockProperties.Jdbc}: they need no Spring Boot JDBC support.
 */
@ConfigurationProperties("forward.lock.jdbc")
public class ForwardLockJdbcInitializationProperties extends DatabaseInitializationProperties {

	/**
	 * Default of {@code forward.lock.jdbc.schema}: the scripts in forward-lock's core
	 * jar.
	 */
	public static final String DEFAULT_SCHEMA_LOCATION = "classpath:" + JdbcLockSchemaInitializer.SCHEMA_LOCATION;

	@Override
	public String getDefaultSchemaLocation() {
		return DEFAULT_SCHEMA_LOCATION;
	}

}
