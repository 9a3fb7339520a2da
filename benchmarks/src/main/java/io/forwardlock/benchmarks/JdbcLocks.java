package io.forwardlock.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import javax.sql.DataSource;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.jdbc.JdbcLockBackend;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The three JDBC locks under comparison, configured alike: a 30 second lease judged by
 * the database's clock, on the same data source.
 */
final class JdbcLocks {

	static final Duration LEASE = Duration.ofSeconds(30);

	private static final Duration HEARTBEAT = Duration.ofSeconds(10);

	private JdbcLocks() {
	}

	static JdbcLockBackend forwardLock(DataSource dataSource) {
		return new JdbcLockBackend(dataSource);
	}

	static LockRequest forwardLockRequest(String name) {
		return LockRequest.named(name).heartbeat(HEARTBEAT, LEASE).build();
	}

	static LockLease acquire(JdbcLockBackend backend, LockRequest request) {
		return backend.tryAcquire(request)
			.orElseThrow(() -> new IllegalStateException("forward-lock did not acquire " + request.name()));
	}

	static DefaultLockRepository springIntegrationRepository(DataSource dataSource) {
		DefaultLockRepository repository = new DefaultLockRepository(dataSource);
		repository.setTransactionManager(new DataSourceTransactionManager(dataSource));
		repository.afterPropertiesSet();
		repository.afterSingletonsInstantiated();
		repository.start();
		return repository;
	}

	static JdbcLockRegistry springIntegration(DefaultLockRepository repository) {
		return new JdbcLockRegistry(repository, LEASE);
	}

	static JdbcTemplateLockProvider shedLock(DataSource dataSource) {
		return new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
			.withJdbcTemplate(new JdbcTemplate(dataSource))
			.withTableName("shedlock")
			.usingDbTime()
			.build());
	}

	static SimpleLock lock(JdbcTemplateLockProvider provider, String name) {
		Optional<SimpleLock> lock = provider.lock(new LockConfiguration(Instant.now(), name, LEASE, Duration.ZERO));
		return lock.orElseThrow(() -> new IllegalStateException("ShedLock did not acquire " + name));
	}

	static SimpleLock extend(SimpleLock lock) {
		return lock.extend(LEASE, Duration.ZERO)
			.orElseThrow(() -> new IllegalStateException("ShedLock could not extend its lock"));
	}

}
