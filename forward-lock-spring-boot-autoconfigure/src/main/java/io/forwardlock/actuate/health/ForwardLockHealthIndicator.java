package io.forwardlock.actuate.health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import io.forwardlock.lifecycle.LockStatus;
import io.forwardlock.lifecycle.LockStatusProvider;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.Verification;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@link HealthIndicator} for the application's instance lock: {@code UP} while this
 * instance holds the lock and its last verification passed, {@code DOWN} otherwise (lost,
 * on standby, released or not started yet).
 * <p>
 * It answers from the {@link LockStatus} snapshot that the lifecycle keeps in memory. A
 * health check never opens the lock file, because closing any descriptor of a file drops
 * every POSIX lock the process holds on it; it never takes a lock and never blocks.
 */
public class ForwardLockHealthIndicator implements HealthIndicator {

	private final LockStatusProvider statusProvider;

	/**
	 * Create a new instance.
	 * @param statusProvider source of the lock snapshot
	 */
	public ForwardLockHealthIndicator(LockStatusProvider statusProvider) {
		this.statusProvider = Objects.requireNonNull(statusProvider, "'statusProvider' must not be null");
	}

	@Override
	public Health health() {
		LockStatus status = this.statusProvider.getStatus();
		Health.Builder builder = status.isHealthy() ? Health.up() : Health.down();
		builder.withDetail("state", status.state().name());
		detail(builder, "backend", status.backend());
		detail(builder, "lockName", status.lockName());
		detail(builder, "location", status.location());
		HolderRecord holder = status.holder();
		if (holder != null) {
			if (holder.hasPid()) {
				builder.withDetail("pid", holder.pid());
			}
			detail(builder, "hostname", holder.hostname());
			detail(builder, "acquiredAt", holder.acquiredAt());
		}
		detail(builder, "lastHeartbeat", status.lastHeartbeatAt());
		Verification verification = status.lastVerification();
		if (verification != null) {
			builder.withDetail("lastVerification", describe(verification));
		}
		return builder.build();
	}

	private static Map<String, Object> describe(Verification verification) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("status", verification.status().name());
		details.put("verifiedAt", verification.verifiedAt().toString());
		details.put("detail", verification.detail());
		if (verification.currentHolder() != null) {
			details.put("currentHolder", verification.currentHolder().describe());
		}
		return details;
	}

	private static void detail(Health.Builder builder, String key, Object value) {
		// Health details reject null values, and an absent key reads better than "null".
		if (value != null) {
			builder.withDetail(key, value.toString());
		}
	}

}
