package io.forwardlock.lock.file;

import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * JVM-wide registry of the lock files this virtual machine is acquiring, holding or
 * inspecting.
 * <p>
 * Two keys guard against two kinds of second name. Claims are keyed by the lock path with
 * its directory's real path, so one spelling of a path (through a symbolic link, or
 * relative) is refused before anything is opened. Held files are keyed by the file's
 * identity (device and inode), because a bind mount or a case-insensitive file system
 * gives one file two real paths. Closing any descriptor of a file drops every POSIX lock
 * this process holds on it, so a descriptor that was opened on a file this JVM holds
 * (found out only after the open, when the lock attempt overlaps) is never closed while
 * the file is held: it is parked here, and closed by the holder's release while the
 * holder still has its lock, or kept for the life of the JVM when that cannot be done
 * safely.
 */
final class HeldLocks {

	private static final long INSPECTION_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

	private static final Map<String, Entry> ENTRIES = new ConcurrentHashMap<>();

	// guarded by itself
	private static final Map<Object, HeldFile> FILES = new HashMap<>();

	// descriptors that can never be closed safely; guarded by FILES
	private static final List<FileChannel> KEPT_FOR_LIFE = new ArrayList<>();

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
	static @Nullable InJvmState beginInspection(String key) {
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
	 * Record that a lease of this JVM holds the file with the given identity.
	 * @param fileKey the file's identity, may be {@code null} (then nothing is recorded)
	 * @param lease the lease
	 */
	static void holdFile(@Nullable Object fileKey, FileLockLease lease) {
		if (fileKey == null) {
			return;
		}
		synchronized (FILES) {
			FILES.computeIfAbsent(fileKey, (k) -> new HeldFile()).lease = lease;
		}
	}

	/**
	 * The lease of this JVM that holds the file with the given identity.
	 * @param fileKey the file's identity, may be {@code null}
	 * @return the lease, or {@code null}
	 */
	static @Nullable FileLockLease leaseOf(@Nullable Object fileKey) {
		if (fileKey == null) {
			return null;
		}
		synchronized (FILES) {
			HeldFile held = FILES.get(fileKey);
			return (held != null) ? held.lease : null;
		}
	}

	/**
	 * Keep a descriptor open that was opened on a file this JVM holds a lock on: closing
	 * it would drop that lock.
	 * @param fileKey the identity of the file as far as known, may be {@code null}
	 * @param channel the channel
	 */
	static void park(@Nullable Object fileKey, FileChannel channel) {
		synchronized (FILES) {
			HeldFile held = (fileKey != null) ? FILES.get(fileKey) : null;
			if (held != null && held.lease != null) {
				held.parked.add(channel);
			}
			else {
				KEPT_FOR_LIFE.add(channel);
			}
		}
	}

	/**
	 * Close the descriptors parked on a held file. Call only while the holder still has
	 * its lock in Java, so that no other channel of this JVM can lock the file meanwhile.
	 * @param fileKey the file's identity, may be {@code null}
	 */
	static void closeParked(@Nullable Object fileKey) {
		List<FileChannel> parked;
		synchronized (FILES) {
			HeldFile held = (fileKey != null) ? FILES.get(fileKey) : null;
			if (held == null) {
				return;
			}
			parked = new ArrayList<>(held.parked);
			held.parked.clear();
		}
		parked.forEach(LockAttempts::closeQuietly);
	}

	/**
	 * Forget a held file after its lease let go of it. Descriptors parked since
	 * {@link #closeParked(Object)} are kept open for good: the file may be locked again
	 * by another channel of this JVM at any moment.
	 * @param fileKey the file's identity, may be {@code null}
	 * @param lease the lease that held it
	 */
	static void forgetFile(@Nullable Object fileKey, FileLockLease lease) {
		if (fileKey == null) {
			return;
		}
		synchronized (FILES) {
			HeldFile held = FILES.get(fileKey);
			if (held != null && (held.lease == lease || held.lease == null)) {
				FILES.remove(fileKey);
				KEPT_FOR_LIFE.addAll(held.parked);
			}
		}
	}

	/**
	 * What this JVM does with a lock that an inspection found claimed.
	 *
	 * @param lease the lease holding it, or {@code null} while an acquisition is under
	 * way (another process then holds the lock, or is about to lose it)
	 */
	record InJvmState(@Nullable FileLockLease lease) {
	}

	private static final class HeldFile {

		private @Nullable FileLockLease lease;

		private final List<FileChannel> parked = new ArrayList<>();

	}

	private static final class Entry {

		private boolean claimed;

		private int inspections;

		private @Nullable FileLockLease lease;

	}

}
