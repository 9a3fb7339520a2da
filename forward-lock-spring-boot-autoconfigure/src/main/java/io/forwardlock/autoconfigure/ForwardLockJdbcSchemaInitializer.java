package io.forwardlock.autoconfigure;

import javax.sql.DataSource;

import org.springframework.beans.factory.InitializingBean;

import io.forwardlock.autoconfigure.ForwardLockProperties.InitializeSchema;
import io.forwardlock.lock.jdbc.JdbcLockSchemaInitializer;

/**
 * Creates the JDBC backend's lock table on startup according to
 * {@code forward.lock.jdbc.initialize-schema}: for in-memory embedded databases only
 * ({@code embedded}, the default), {@code always}, or {@code never}.
 */
public class ForwardLockJdbcSchemaInitializer implements InitializingBean {

	private final DataSource dataSource;

	private final String tableName;

	private final InitializeSchema mode;

	private volatile boolean initialized;

	/**
	 * Create a new instance.
	 * @param dataSource the application's data source
	 * @param tableName the lock table name
	 * @param mode when to create the table
	 */
	public ForwardLockJdbcSchemaInitializer(DataSource dataSource, String tableName, InitializeSchema mode) {
		this.dataSource = dataSource;
		this.tableName = tableName;
		this.mode = mode;
	}

	@Override
	public void afterPropertiesSet() {
		if (this.mode == InitializeSchema.ALWAYS
				|| (this.mode == InitializeSchema.EMBEDDED && JdbcLockSchemaInitializer.isEmbedded(this.dataSource))) {
			new JdbcLockSchemaInitializer(this.dataSource, this.tableName).initialize();
			this.initialized = true;
		}
	}

	/**
	 * Whether this initializer created (or found) the lock table on startup.
	 * @return whether the schema script ran
	 */
	public boolean isInitialized() {
		return this.initialized;
	}

}
