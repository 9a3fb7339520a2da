package io.forwardlock.autoconfigure;

import java.util.List;

import javax.sql.DataSource;

import io.forwardlock.autoconfigure.ForwardLockProperties.Backend;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.jdbc.JdbcLockBackend;

import org.springframework.beans.factory.ObjectProvider;

/**
 * {@link LockBackendFactory} for {@code forward.lock.backend=jdbc}: a lease row in the
 * application's only (or primary) {@link DataSource}. The data source is looked up when
 * the backend is created, that is only when the JDBC backend is selected, so that an
 * application without a database can use another backend, and so that a missing data
 * source is reported when the application runs rather than decided when it is built.
 */
final class JdbcLockBackendFactory implements LockBackendFactory {

	private final ObjectProvider<DataSource> dataSource;

	private final ObjectProvider<ForwardLockJdbcSchemaInitializer> schemaInitializer;

	private final ForwardLockProperties properties;

	JdbcLockBackendFactory(ObjectProvider<DataSource> dataSource,
			ObjectProvider<ForwardLockJdbcSchemaInitializer> schemaInitializer, ForwardLockProperties properties) {
		this.dataSource = dataSource;
		this.schemaInitializer = schemaInitializer;
		this.properties = properties;
	}

	@Override
	public Backend backend() {
		return Backend.JDBC;
	}

	@Override
	public JdbcLockBackend createBackend(LockRequest request) {
		DataSource dataSource = this.dataSource.getIfUnique();
		if (dataSource == null) {
			throw noSingleDataSource();
		}
		ForwardLockProperties.Jdbc jdbc = this.properties.getJdbc();
		// A schema initializer bean of the application's own has run already; ours runs
		// here, before the lifecycle acquires the lock, so that the table exists by then
		if (this.schemaInitializer.getIfAvailable() == null) {
			new ForwardLockJdbcSchemaInitializer(dataSource, jdbc.getTableName(), jdbc.getInitializeSchema())
				.afterPropertiesSet();
		}
		JdbcLockBackend backend = new JdbcLockBackend(dataSource, jdbc.getTableName());
		backend.setAllowInMemoryDatabase(jdbc.isAllowInMemoryDatabase());
		return backend;
	}

	private static LockException noSingleDataSource() {
		return new LockException(LockErrorType.BACKEND_UNAVAILABLE,
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
