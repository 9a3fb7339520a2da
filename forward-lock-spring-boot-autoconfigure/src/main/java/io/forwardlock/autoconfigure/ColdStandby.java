package io.forwardlock.autoconfigure;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Makes a cold standby ({@code forward.lock.acquire-early} with
 * {@code forward.lock.standby}) small before it starts a wait that may last for hours.
 * <p>
 * What a cold standby holds is mostly what start-up left behind before the wait, not what
 * it needs. The standby starts waiting before Boot's background preinitializer (a thread
 * named {@value #PREINITIALIZER_THREAD} that loads Jackson, Tomcat, message converters
 * and the conversion service) starts (see {@link EarlyLogging}); where it runs anyway (an
 * earlier application of this JVM started it), collecting while it still allocates would
 * leave its garbage resident. Hence:
 * <ol>
 * <li>wait until that thread has finished, for at most {@link #PREINITIALIZER_WAIT}; the
 * application would wait for it anyway before it is ready, so this costs no start-up
 * time;</li>
 * <li>run one {@code System.gc()}, so that the JVM returns the heap that start-up left
 * behind. It runs once, before the wait, never while the application runs;
 * {@code -XX:+DisableExplicitGC} makes it a no-op.</li>
 * </ol>
 * Nothing here changes the JVM's options or what the application does once it has the
 * lock.
 */
final class ColdStandby {

	/**
	 * Name of the thread of Spring Boot's
	 * {@code BackgroundPreinitializingApplicationListener}. If a later version names it
	 * otherwise, the standby simply does not wait for it.
	 */
	static final String PREINITIALIZER_THREAD = "background-preinit";

	/**
	 * Longest wait for the background preinitializer: it takes a second or two, and the
	 * lock is not watched meanwhile.
	 */
	static final Duration PREINITIALIZER_WAIT = Duration.ofSeconds(10);

	private static final Log logger = LogFactory.getLog(ColdStandby.class);

	private ColdStandby() {
	}

	/**
	 * Shrink this JVM before a long wait on standby.
	 */
	static void prepareToWait() {
		awaitThread(PREINITIALIZER_THREAD, PREINITIALIZER_WAIT);
		System.gc();
	}

	/**
	 * Wait until the live threads of the current thread group named {@code name} have
	 * ended.
	 * @param name the thread name
	 * @param atMost longest wait in total
	 * @return whether no such thread is alive any more
	 */
	static boolean awaitThread(String name, Duration atMost) {
		long deadline = System.nanoTime() + atMost.toNanos();
		for (Thread thread : liveThreads()) {
			if (!Objects.equals(thread.getName(), name)) {
				continue;
			}
			long left = deadline - System.nanoTime();
			try {
				if (left > 0) {
					thread.join(Math.max(1, left / 1_000_000L));
				}
			}
			catch (InterruptedException ex) {
				// A shutdown while preparing: the wait on the lock reports it
				Thread.currentThread().interrupt();
				return false;
			}
			if (thread.isAlive()) {
				logger.debug("Thread '" + name + "' still runs; waiting on standby without it");
				return false;
			}
		}
		return true;
	}

	private static Thread[] liveThreads() {
		ThreadGroup group = Thread.currentThread().getThreadGroup();
		Thread[] threads = new Thread[group.activeCount() + 8];
		int count = group.enumerate(threads, true);
		return Arrays.copyOf(threads, count);
	}

}
