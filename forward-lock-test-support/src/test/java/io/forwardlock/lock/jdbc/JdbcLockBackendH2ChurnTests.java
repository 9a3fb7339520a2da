package io.forwardlock.lock.jdbc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many short rounds of contenders that take and release one lock on H2 as fast as they
 * can. Once every contender has released, the lock must be free: a row left with a live
 * lease that nobody holds would keep every instance out for the whole stale timeout. H2
 * used to lose about one release in a thousand rounds this way, when a contender that had
 * locked the row with {@code SELECT ... FOR UPDATE} rolled back.
 */
class JdbcLockBackendH2ChurnTests {

	private static final int ROUNDS = Integer.getInteger("forwardlock.h2.churn.rounds", 300);

	private static final int CONTENDERS = 8;

	private static final int CYCLES = 40;

	@TempDir
	Path directory;

	private final ExecutorService executor = Executors.newFixedThreadPool(CONTENDERS);

	@AfterEach
	void stopExecutor() {
		this.executor.shutdownNow();
	}

	@Test
	@Timeout(value = 5, unit = TimeUnit.MINUTES)
	void contendersThatChurnTheRowNeverLeaveALiveLeaseThatNobodyHolds() throws Exception {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource
			.setURL("jdbc:h2:file:" + this.directory.resolve("churn-" + UUID.randomUUID()) + ";DB_CLOSE_DELAY=-1");
		new JdbcLockSchemaInitializer(dataSource, JdbcLockBackend.DEFAULT_TABLE_NAME).initialize();
		try (JdbcLockBackend backend = new JdbcLockBackend(dataSource)) {
			for (int round = 0; round < ROUNDS; round++) {
				String name = "churn-" + round;
				churn(dataSource, name);
				Optional<LockLease> lease = backend.tryAcquire(request(name));
				assertThat(lease)
					.as("lock %s after every contender released it (holder in the row: %s)", name,
							lease.isEmpty() ? backend.inspect(request(name)) : "none")
					.isPresent();
				lease.get().release();
			}
		}
	}

	private void churn(JdbcDataSource dataSource, String name) throws Exception {
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> contenders = new ArrayList<>();
		for (int i = 0; i < CONTENDERS; i++) {
			LockRequest request = request(name);
			contenders.add(this.executor.submit(() -> {
				try (JdbcLockBackend backend = new JdbcLockBackend(dataSource)) {
					start.await();
					for (int cycle = 0; cycle < CYCLES; cycle++) {
						backend.tryAcquire(request).ifPresent(LockLease::release);
					}
				}
				return null;
			}));
		}
		start.countDown();
		for (Future<?> contender : contenders) {
			contender.get(1, TimeUnit.MINUTES);
		}
	}

	private static LockRequest request(String name) {
		return LockRequest.named(name).applicationName("churn").staleTimeout(Duration.ofMinutes(1)).build();
	}

}
