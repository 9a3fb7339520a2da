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
 * source is reported when the application runs rather than decided when it is built. The
 * backend's threads end when the application context closes it.
 */
final class JdbcLockBackendFactory implements LockBackendFactory {

	private final ObjectProvider<DataSource> dataSource;

	private final ForwardLockProperties properties;

	JdbcLockBackendFactory(ObjectProvider<DataSource> dataSource, ForwardLockProperties properties) {
		this.dataSource = dataSource;
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
		// The lock table was created, if at all, by the database initializers, which the
		// backend bean depends on (ForwardLockDependsOnDatabaseInitializationDetector)
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
