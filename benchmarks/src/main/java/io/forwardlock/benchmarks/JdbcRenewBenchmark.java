package io.forwardlock.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.jdbc.JdbcLockBackend;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;

/**
 * Renewal of a held lease on embedded PostgreSQL: what a JDBC holder pays every heartbeat
 * interval to keep its lock. forward-lock's heartbeat, Spring Integration's
 * {@link JdbcLockRegistry#renewLock(Object)} and ShedLock's {@link SimpleLock#extend}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class JdbcRenewBenchmark {

	private static final String SPRING_INTEGRATION_KEY = "renew-spring-integration";

	private LockLease forwardLockLease;

	private DefaultLockRepository springIntegrationRepository;

	private JdbcLockRegistry springIntegration;

	private Lock springIntegrationLock;

	private SimpleLock shedLock;

	@Setup(Level.Trial)
	public void acquireLocks(PostgresDatabase database) {
		JdbcLockBackend backend = JdbcLocks.forwardLock(database.dataSource());
		this.forwardLockLease = JdbcLocks.acquire(backend, JdbcLocks.forwardLockRequest("renew-forward-lock"));
		this.springIntegrationRepository = JdbcLocks.springIntegrationRepository(database.dataSource());
		this.springIntegration = JdbcLocks.springIntegration(this.springIntegrationRepository);
		this.springIntegrationLock = this.springIntegration.obtain(SPRING_INTEGRATION_KEY);
		if (!this.springIntegrationLock.tryLock()) {
			throw new IllegalStateException("Spring Integration did not acquire its lock");
		}
		this.shedLock = JdbcLocks.lock(JdbcLocks.shedLock(database.dataSource()), "renew-shedlock");
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
