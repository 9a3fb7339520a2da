package io.forwardlock.autoconfigure;

import java.util.Optional;

import io.forwardlock.diagnostics.LockStartupException;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

/**
 * The early probe ({@code forward.lock.early-probe}, on by default): as soon as Boot has
 * prepared the environment, asks the file backend who holds the lock, without taking it,
 * and turns an obvious duplicate away with the usual "APPLICATION FAILED TO START" report
 * and exit code. Run by {@link EarlyLockGuard}, which also takes the lock this early with
 * {@code forward.lock.acquire-early}.
 * <p>
 * It runs right <em>before</em> Boot initializes logging, so that a refusal comes before
 * Boot's background preinitializer starts, which a failed start-up waits for (about half
 * a second on two cores). What it logs is deferred until logging is initialized; when it
 * must refuse, it lets Boot initialize logging first ({@link EarlyLogging}), so that the
 * report is logged as configured.
 * <p>
 * The file backend's inspection consults the JVM-wide registry first, so it never opens,
 * and so never closes, a descriptor of a lock file that this JVM holds. The probe stays
 * out of the way of a standby and of retries, and, with the heartbeat on, of a holder
 * that may have stopped heartbeating (see {@link FileLockBackend#mayBeTakenOver}). The
 * lock itself is still taken by the lifecycle during the refresh; a holder that leaves
 * between the probe and the refresh simply lets this instance start.
 */
final class EarlyLockProbe {

	private EarlyLockProbe() {
	}

	/**
	 * Probe the lock.
	 * @param setup the early set-up
	 * @param logger where to say why the probe does not refuse
	 * @return the refusal, or {@code null} when this instance may go on starting
	 */
	static @Nullable LockStartupException refusal(EarlyLockSetup setup, Log logger) {
		FileLockBackend backend = setup.backend();
		LockRequest request = setup.request();
		Optional<HolderRecord> holder;
		try {
			holder = backend.inspect(request);
		}
		catch (LockException ex) {
			// The refresh acquires the lock and reports the problem with all it knows
			logger.debug("Early probe could not tell who holds lock '" + request.name() + "': " + ex.getSummary());
			return null;
		}
		if (holder.isEmpty() || mayBeTakenOver(backend, request, logger)) {
			return null;
		}
		return new LockStartupException(backend.instanceRunning(holder.get(), request),
				setup.properties().getExitCode());
	}

	/**
	 * With the heartbeat on, a holder that stopped heartbeating may be taken over, but
	 * only by a contender that watched its lock file stay unchanged for the holder's
	 * stale timeout plus interval: a judgement that takes time the probe does not spend.
	 * So the probe refuses only a holder that can certainly not be taken over (it
	 * declared no heartbeat, or heartbeated within its stale timeout) and leaves any
	 * other to the lifecycle.
	 */
	private static boolean mayBeTakenOver(FileLockBackend backend, LockRequest request, Log logger) {
		if (!request.heartbeatEnabled() || !backend.mayBeTakenOver(request)) {
			return false;
		}
		logger.debug("Early probe leaves lock '" + request.name()
				+ "' to the lifecycle: its holder may have stopped heartbeating");
		return true;
	}

}
