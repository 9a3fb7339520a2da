package io.forwardlock.benchmarks;

import java.util.concurrent.locks.Lock;

import javax.sql.DataSource;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.jdbc.JdbcLockBackend;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;

/**
 * One uncontended acquire followed by one release, for forward-lock's JDBC backend,
 * Spring Integration's {@link JdbcLockRegistry} and ShedLock's
 * {@link JdbcTemplateLockProvider}, each on its own table of the same database. A
 * subclass per database engine creates the locks on its database.
 */
public abstract class AbstractJdbcAcquireReleaseBenchmark extends BenchmarkDefaults {

	private JdbcLockBackend forwardLock;

	private LockRequest forwardLockRequest;

	private DefaultLockRepository springIntegrationRepository;

	private JdbcLockRegistry springIntegration;

	private JdbcTemplateLockProvider shedLock;

	/**
	 * Create the three locks; called by the subclass's trial setup.
	 * @param dataSource the database
	 */
	protected final void createLocks(DataSource dataSource) {
		this.forwardLock = JdbcLocks.forwardLock(dataSource);
		this.forwardLockRequest = JdbcLocks.forwardLockRequest("acquire-forward-lock");
		this.springIntegrationRepository = JdbcLocks.springIntegrationRepository(dataSource);
		this.springIntegration = JdbcLocks.springIntegration(this.springIntegrationRepository);
		this.shedLock = JdbcLocks.shedLock(dataSource);
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
