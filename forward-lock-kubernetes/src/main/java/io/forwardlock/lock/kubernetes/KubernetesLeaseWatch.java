package io.forwardlock.lock.kubernetes;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import org.jspecify.annotations.Nullable;

/**
 * Watch on the Lease of a held {@link KubernetesLeaseLease}, so that the holder hears of
 * an edit by hand (the Lease deleted, its {@code holderIdentity} cleared or changed) as
 * the API server tells of it, not only at its next renewal or verification.
 * <p>
 * Every {@code ADDED}, {@code MODIFIED} and {@code DELETED} event goes to the lease,
 * which judges it; this class only keeps the watch open. A watch is only a hint, never
 * the authority: a watch that ends with an error (the API server restarted, the
 * {@code resourceVersion} too old for it, {@code 410 Gone}, the network) is opened again
 * after a short delay, from the last {@code resourceVersion} it saw (from none after
 * {@code 410 Gone}: the API server then sends the Lease as it is now), and is never a
 * loss. A watch refused with {@code 403 Forbidden} (a Role without the {@code watch}
 * verb) is given up with a warning: the holder then notices edits at its next renewal or
 * verification, as without a watch. {@link #close()} ends it for good.
 */
final class KubernetesLeaseWatch implements Watcher<Lease> {

	private static final System.Logger LOGGER = System.getLogger(KubernetesLeaseWatch.class.getName());

	private final KubernetesLeaseBackend backend;

	/**
	 * Opens the watches: opening one waits for the API server, at most the client's
	 * connection timeout, so never on the caller's thread.
	 */
	private final Executor opens;

	private final String leaseName;

	private final BiConsumer<Action, Lease> changed;

	private final long reopenDelayMillis;

	private final Object monitor = new Object();

	/**
	 * Last {@code resourceVersion} seen, to open the next watch from; {@code null} to
	 * have the API server send the Lease as it is.
	 */
	private @Nullable String resourceVersion;

	private @Nullable Watch watch;

	private boolean closed;

	/**
	 * Create a watch; {@link #start()} opens it.
	 * @param backend the backend, which opens the watch on the API server
	 * @param opens where the watch is opened, and opened again, in the background
	 * @param leaseName the name of the Lease
	 * @param resourceVersion the {@code resourceVersion} of the Lease as acquired
	 * @param reopenDelay pause before a watch that ended with an error is opened again
	 * @param changed told of every {@code ADDED}, {@code MODIFIED} and {@code DELETED}
	 * event, on the client's thread for the watch
	 */
	KubernetesLeaseWatch(KubernetesLeaseBackend backend, Executor opens, String leaseName,
			@Nullable String resourceVersion, Duration reopenDelay, BiConsumer<Action, Lease> changed) {
		this.backend = backend;
		this.opens = opens;
		this.leaseName = leaseName;
		this.resourceVersion = resourceVersion;
		this.reopenDelayMillis = Math.max(1, reopenDelay.toMillis());
		this.changed = changed;
	}

	/**
	 * Open the watch in the background.
	 */
	void start() {
		this.opens.execute(this::open);
	}

	/**
	 * Close the watch for good. Idempotent, from any thread, also while it is being
	 * opened.
	 */
	void close() {
		Watch open;
		synchronized (this.monitor) {
			this.closed = true;
			open = this.watch;
			this.watch = null;
		}
		if (open != null) {
			closeQuietly(open);
		}
	}

	/**
	 * Whether a watch is open on the API server (or being re-opened by the client).
	 * @return {@code true} until {@link #close()}, unless the watch was given up
	 */
	boolean isOpen() {
		synchronized (this.monitor) {
			return this.watch != null;
		}
	}

	private void open() {
		String from;
		synchronized (this.monitor) {
			if (this.closed) {
				return;
			}
			from = this.resourceVersion;
		}
		Watch opened;
		try {
			opened = this.backend.watch(this.leaseName, from, this);
		}
		catch (KubernetesClientException ex) {
			if (ex.getCode() == 403) {
				giveUpForbidden();
				return;
			}
			if (ex.getCode() == 410) {
				forgetResourceVersion();
			}
			reopenLater(ex);
			return;
		}
		catch (RuntimeException ex) {
			reopenLater(ex);
			return;
		}
		boolean keep;
		synchronized (this.monitor) {
			keep = !this.closed;
			if (keep) {
				this.watch = opened;
			}
		}
		if (!keep) {
			closeQuietly(opened);
		}
	}

	@Override
	public void eventReceived(Action action, @Nullable Lease lease) {
		if (lease != null && lease.getMetadata() != null && lease.getMetadata().getResourceVersion() != null) {
			synchronized (this.monitor) {
				this.resourceVersion = lease.getMetadata().getResourceVersion();
			}
		}
		if (lease == null || (action != Action.ADDED && action != Action.MODIFIED && action != Action.DELETED)) {
			// a bookmark, or an error the client reports as an event: nothing about the
			// holder
			return;
		}
		synchronized (this.monitor) {
			if (this.closed) {
				return;
			}
		}
		this.changed.accept(action, lease);
	}

	/**
	 * The client gave the watch up (after {@code 410 Gone}, or once it could not
	 * reconnect): open it again later. Never a loss.
	 */
	@Override
	public void onClose(WatcherException cause) {
		KubernetesClientException failure = (cause != null) ? cause.asClientException() : null;
		if (failure != null && failure.getCode() == 403) {
			giveUpForbidden();
			return;
		}
		if (cause != null && cause.isHttpGone()) {
			forgetResourceVersion();
		}
		reopenLater(cause);
	}

	/**
	 * The watch was closed without an error, which the client reports only when it was
	 * asked to: open it again unless {@link #close()} was called.
	 */
	@Override
	public void onClose() {
		reopenLater(null);
	}

	private void reopenLater(@Nullable Exception cause) {
		synchronized (this.monitor) {
			if (this.closed) {
				return;
			}
			this.watch = null;
		}
		LOGGER.log(System.Logger.Level.DEBUG, () -> "The watch on the Kubernetes Lease " + this.leaseName
				+ " ended; opening it again in " + this.reopenDelayMillis + " ms", cause);
		Executor later = CompletableFuture.delayedExecutor(this.reopenDelayMillis, TimeUnit.MILLISECONDS, this.opens);
		later.execute(this::open);
	}

	/**
	 * The Role lacks the {@code watch} verb: go on without a watch, as before there was
	 * one, rather than fail the lock or ask again every second.
	 */
	private void giveUpForbidden() {
		synchronized (this.monitor) {
			this.watch = null;
		}
		LOGGER.log(System.Logger.Level.WARNING,
				"Not allowed to watch the Kubernetes Lease " + this.leaseName
						+ " (403 Forbidden): add the verb 'watch' to the Role; until then its holder notices an edit "
						+ "by hand only at its next renewal or verification");
	}

	private void forgetResourceVersion() {
		synchronized (this.monitor) {
			this.resourceVersion = null;
		}
	}

	private static void closeQuietly(Watch watch) {
		try {
			watch.close();
		}
		catch (RuntimeException ex) {
			// closing is best effort: the watch ends with the client at the latest
		}
	}

}
