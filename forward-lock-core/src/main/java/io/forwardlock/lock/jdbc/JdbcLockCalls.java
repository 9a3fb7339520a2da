package io.forwardlock.lock.jdbc;

import java.sql.SQLException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * Threads of one {@link JdbcLockBackend} that run renewals and verifications, so that a
 * lease can stop waiting for a database call when its local deadline comes. The threads
 * are daemons, created on first use and kept while busy or for a minute of idleness;
 * closing ends them, so that an application context (or a test) that closes its backend
 * leaves no thread behind.
 */
final class JdbcLockCalls implements AutoCloseable {

	/**
	 * How long an idle thread waits for the next call, as in a cached thread pool: long
	 * enough to serve the next verification or renewal of a running application.
	 */
	private static final long KEEP_ALIVE_SECONDS = 60;

	private static final AtomicInteger THREADS = new AtomicInteger();

	private @Nullable ExecutorService executor;

	private boolean closed;

	/**
	 * Run a call on a thread of this backend.
	 * @param <T> the result type
	 * @param call the call
	 * @return the call's future
	 * @throws SQLException when the backend is closed
	 */
	synchronized <T> Future<T> submit(Callable<T> call) throws SQLException {
		if (this.closed) {
			throw new SQLException("The JDBC lock backend is closed");
		}
		ExecutorService current = this.executor;
		if (current == null) {
			current = new ThreadPoolExecutor(0, Integer.MAX_VALUE, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
					new SynchronousQueue<>(), (task) -> {
						Thread thread = new Thread(task, "forward-lock-jdbc-" + THREADS.incrementAndGet());
						thread.setDaemon(true);
						return thread;
					});
			this.executor = current;
		}
		return current.submit(call);
	}

	/**
	 * End the threads: idle ones at once, busy ones when their call returns (a call is
	 * never interrupted, which could leave its connection in an unknown state).
	 * Idempotent.
	 */
	@Override
	public synchronized void close() {
		this.closed = true;
		if (this.executor != null) {
			this.executor.shutdown();
		}
	}

}
