package io.forwardlock.lock.jdbc;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A renewal that the database applies late, after its holder gave the lease up as lost: a
 * renewal names the holder and the fencing token and needs the row unexpired, so it can
 * extend only a row that nobody else can hold yet, never another holder's. What it can
 * leave is a row that its holder no longer works under, which the holder's release
 * expires.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JdbcLockLateRenewalTests {

	@AutoClose
	private final OneConnectionPool pool = new OneConnectionPool();

	private final JdbcLockBackend backend = this.pool.backend();

	@Test
	void aLateRenewalCannotExtendTheRowOfTheHolderThatTookOver() throws SQLException {
		LockRequest holder = request("holder", Duration.ofSeconds(1));
		LockLease lost = this.backend.tryAcquire(holder).orElseThrow();
		LockRequest contender = request("contender", Duration.ofSeconds(30));
		LockLease taker = await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> this.backend.tryAcquire(contender), Optional::isPresent)
			.orElseThrow();
		assertThat(this.backend.renew(holder, "holder", lost.fencingToken().getAsLong())).isFalse();
		assertThat(this.backend.inspect(contender)).map(HolderRecord::instanceId).contains("contender");
		taker.release();
	}

	@Test
	void aLateRenewalAppliedAfterTheLeaseRanOutLeavesARowThatTheReleaseExpires() throws SQLException {
		LockRequest request = request("holder", Duration.ofSeconds(5));
		LockLease lease = this.backend.tryAcquire(request).orElseThrow();
		// The lease trusts 4 s of the 5 s the database keeps the row
		await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(10))
			.until(() -> lease.timeLeft().orElseThrow().isZero());
		assertThatExceptionOfType(LockException.class).isThrownBy(lease::ensureHeld)
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.LOCK_LOST));
		// a renewal sent before the loss, that the database applies only now
		assertThat(this.backend.renew(request, "holder", lease.fencingToken().getAsLong())).isTrue();
		assertThat(this.backend.tryAcquire(request("contender", Duration.ofSeconds(5)))).isEmpty();
		lease.release();
		assertThat(this.backend.inspect(request)).isEmpty();
	}

	private static LockRequest request(String instanceId, Duration staleTimeout) {
		return LockRequest.named("orders")
			.instanceId(instanceId)
			.heartbeat(staleTimeout.dividedBy(2), staleTimeout)
			.build();
	}

}
