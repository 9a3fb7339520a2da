package io.forwardlock.lock.file;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * JVM-wide registry of the lock files this virtual machine is acquiring, holding or
 * inspecting, keyed by the lock file's real identity (real path of its directory plus its
 * name), never by the spelling of the path.
 * <p>
 * It refuses a second acquisition in the same JVM before any channel is opened: a second
 * channel would raise {@code OverlappingFileLockException}, and closing it would drop the
 * lock that the first one holds. It also keeps an inspection from opening the file while
 * this JVM is acquiring or holding it, for the same reason.
 */
final class HeldLocks {

	private static final long INSPECTION_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

	private static final Map<String, Entry> ENTRIES = new ConcurrentHashMap<>();

	private HeldLocks() {
	}

	/**
	 * Claim the key for an acquisition. Waits for a short inspection to finish, but never
	 * for another acquisition or a holder.
	 * @param key the lock file key
	 * @return {@code true} if claimed; {@code false} if this JVM already acquires or
	 * holds the lock
	 */
	static boolean claimForAcquisition(String key) {
		Entry entry = ENTRIES.computeIfAbsent(key, (k) -> new Entry());
		synchronized (entry) {
			long deadline = System.nanoTime() + INSPECTION_WAIT_NANOS;
			while (entry.inspections > 0) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return false;
				}
				try {
					TimeUnit.NANOSECONDS.timedWait(entry, left);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return false;
				}
			}
			if (entry.claimed) {
				return false;
			}
			entry.claimed = true;
			entry.lease = null;
			return true;
		}
	}

	/**
	 * Record the lease that now holds a claimed key.
	 * @param key the key
	 * @param lease the lease
	 */
	static void held(String key, FileLockLease lease) {
		Entry entry = ENTRIES.get(key);
		synchronized (entry) {
			entry.lease = lease;
		}
	}

	/**
	 * Give up a claim, after a failed acquisition or a release.
	 * @param key the key
	 */
	static void unclaim(String key) {
		Entry entry = ENTRIES.get(key);
		if (entry == null) {
			return;
		}
		synchronized (entry) {
			entry.claimed = false;
			entry.lease = null;
			entry.notifyAll();
		}
	}

	/**
	 * Start an inspection unless this JVM acquires or holds the lock.
	 * @param key the key
	 * @return {@code null} if the inspection may open the file (call
	 * {@link #endInspection(String)} afterwards); otherwise the state of this JVM
	 */
	static InJvmState beginInspection(String key) {
		Entry entry = ENTRIES.computeIfAbsent(key, (k) -> new Entry());
		synchronized (entry) {
			if (entry.claimed) {
				return new InJvmState(entry.lease);
			}
			entry.inspections++;
			return null;
		}
	}

	static void endInspection(String key) {
		Entry entry = ENTRIES.get(key);
		synchronized (entry) {
			entry.inspections--;
			entry.notifyAll();
		}
	}

	/**
	 * Whether this JVM holds or is acquiring the key.
	 * @param key the key
	 * @return whether claimed
	 */
	static boolean isClaimed(String key) {
		Entry entry = ENTRIES.get(key);
		if (entry == null) {
			return false;
		}
		synchronized (entry) {
			return entry.claimed;
		}
	}

	/**
	 * What this JVM does with a lock that an inspection found claimed.
	 *
	 * @param lease the lease holding it, or {@code null} while an acquisition is under
	 * way (another process then holds the lock, or is about to lose it)
	 */
	record InJvmState(FileLockLease lease) {
	}

	private static final class Entry {

		private boolean claimed;

		private int inspections;

		private FileLockLease lease;

	}

}
