package io.forwardlock.benchmarks;

import java.util.concurrent.locks.Lock;

import javax.sql.DataSource;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.jdbc.JdbcLockBackend;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;

/**
 * Renewal of a held lease: what a JDBC holder pays every heartbeat interval to keep its
 * lock. forward-lock's heartbeat, Spring Integration's
 * {@link JdbcLockRegistry#renewLock(Object)} and ShedLock's {@link SimpleLock#extend}. A
 * subclass per database engine holds the locks in its database.
 */
public abstract class AbstractJdbcRenewBenchmark extends BenchmarkDefaults {

	private static final String SPRING_INTEGRATION_KEY = "renew-spring-integration";

	private LockLease forwardLockLease;

	private DefaultLockRepository springIntegrationRepository;

	private JdbcLockRegistry springIntegration;

	private Lock springIntegrationLock;

	private SimpleLock shedLock;

	/**
	 * Acquire the three locks; called by the subclass's trial setup.
	 * @param dataSource the database
	 */
	protected final void acquireLocks(DataSource dataSource) {
		JdbcLockBackend backend = JdbcLocks.forwardLock(dataSource);
		this.forwardLockLease = JdbcLocks.acquire(backend, JdbcLocks.forwardLockRequest("renew-forward-lock"));
		this.springIntegrationRepository = JdbcLocks.springIntegrationRepository(dataSource);
		this.springIntegration = JdbcLocks.springIntegration(this.springIntegrationRepository);
		this.springIntegrationLock = this.springIntegration.obtain(SPRING_INTEGRATION_KEY);
		if (!this.springIntegrationLock.tryLock()) {
			throw new IllegalStateException("Spring Integration did not acquire its lock");
		}
		this.shedLock = JdbcLocks.lock(JdbcLocks.shedLock(dataSource), "renew-shedlock");
	}

	@TearDown(Level.Trial)
	public void releaseLocks() {
		this.forwardLockLease.release();
		this.springIntegrationLock.unlock();
		this.springIntegrationRepository.close();
		this.shedLock.unlock();
	}

	@Benchmark
	public void forwardLockJdbc() {
		this.forwardLockLease.heartbeat();
	}

	@Benchmark
	public void springIntegrationJdbc() {
		this.springIntegration.renewLock(SPRING_INTEGRATION_KEY);
	}

	@Benchmark
	public void shedLockJdbc() {
		// A ShedLock lock is replaced by the one that extend returns.
		this.shedLock = JdbcLocks.extend(this.shedLock);
	}

}
