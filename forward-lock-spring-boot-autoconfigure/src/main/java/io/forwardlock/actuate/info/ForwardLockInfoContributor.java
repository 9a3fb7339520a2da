package io.forwardlock.actuate.info;

import java.util.Objects;

import io.forwardlock.lifecycle.LockState;
import io.forwardlock.lifecycle.LockStatus;
import io.forwardlock.lifecycle.LockStatusProvider;
import io.forwardlock.lock.HolderRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/**
 * {@link InfoContributor} that adds a short summary of the instance lock under the
 * {@code forwardLock} key. The {@code forwardlock} endpoint has the full picture.
 */
public class ForwardLockInfoContributor implements InfoContributor {

	private final LockStatusProvider statusProvider;

	/**
	 * Create a new instance.
	 * @param statusProvider source of the lock snapshot
	 */
	public ForwardLockInfoContributor(LockStatusProvider statusProvider) {
		this.statusProvider = Objects.requireNonNull(statusProvider, "'statusProvider' must not be null");
	}

	@Override
	public void contribute(Info.Builder builder) {
		builder.withDetail("forwardLock", ForwardLockSummary.of(this.statusProvider.getStatus()));
	}

	/**
	 * Summary of the instance lock.
	 *
	 * @param state lifecycle state of the lock
	 * @param backend id of the backend
	 * @param lockName name of the lock
	 * @param pid process id of the holder, {@code null} when unknown
	 * @param hostname host name of the holder, may be {@code null}
	 */
	public record ForwardLockSummary(LockState state, String backend, String lockName, @Nullable Long pid,
			@Nullable String hostname) {

		static ForwardLockSummary of(LockStatus status) {
			HolderRecord holder = status.holder();
			Long pid = (holder != null && holder.hasPid()) ? holder.pid() : null;
			String hostname = (holder != null) ? holder.hostname() : null;
			return new ForwardLockSummary(status.state(), status.backend(), status.lockName(), pid, hostname);
		}

	}

}
