package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.forwardlock.lock.file.HolderFiles.Declared;
import io.forwardlock.lock.file.LockFiles.FileFacts;
import org.jspecify.annotations.Nullable;

/**
 * Takeover from a hung holder: a holder that declared a heartbeat, and whose lock file
 * this contender has watched stay unchanged for the holder's declared stale timeout plus
 * its heartbeat interval, is replaced by renaming a new, already locked file over the
 * path. The hung process keeps an OS lock on an orphaned file and learns of the loss at
 * its next heartbeat or verification.
 * <p>
 * <b>Staleness is judged the way Kubernetes' client-go judges a lease.</b> A contender
 * never compares the file's modification time with its own wall clock, which another
 * host's clock, an NTP step or a virtual machine's resume can make look old. It records
 * what it sees (the file's identity, modification time and size, the holder's PID and its
 * holder record) with the time of its own monotonic clock, and takes over only when the
 * same sighting is still there after the holder's declared stale timeout plus interval.
 * Any heartbeat, whatever timestamp the holder's clock gives it, changes the sighting and
 * restarts the wait. Waiting one interval beyond the stale timeout means that a holder
 * paused for less than the stale timeout is never taken over: its last heartbeat can have
 * happened up to one interval before this contender saw it.
 * <p>
 * <b>Only a holder that declared a heartbeat can be taken over.</b> The holder record
 * says whether the holder heartbeats, how often, and after how long without a heartbeat
 * it may be taken over. A holder that heartbeats off, declares nothing valid (another
 * version, a damaged or missing record) or whose record names another PID than the lock
 * file is never taken over, whatever this contender's own settings say.
 * <p>
 * <b>Contenders serialize</b> on an OS lock on {@code NAME.lock.takeover}
 * ({@link TakeoverLock}), and check under it that the path still shows exactly the
 * sighting that went stale, so that two of them never both replace it. With the heartbeat
 * on, ordinary acquirers confirm their file, and holders unlink theirs on release, under
 * the same lock. The takeover file gets the lock file's checks: it is opened without
 * following links and without blocking, must be a regular, singly linked file of this
 * user, and after locking it the path must still name the locked file, so that deleting
 * it (a tmp cleaner, a person) cannot let two contenders in; each use rewrites it, so
 * that age-based cleaners leave it alone.
 * <p>
 * <b>Closing a descriptor drops the whole process's lock</b>, so threads of this JVM wait
 * for each other before they open a takeover file, and a contender never opens a lock
 * file that this JVM holds under another name to read its PID.
 */
final class Takeover {

	private Takeover() {
	}

	/**
	 * Take over if this contender has watched the held lock file stay unchanged for the
	 * holder's declared stale timeout plus interval.
	 * @param backend the backend, whose {@link Watch} remembers earlier sightings
	 * @param target where the lock lives (the contender's own heartbeat settings do not
	 * decide staleness)
	 * @param observed the held file as found, {@code null} if unknown
	 * @return an acquired attempt, a held one when not stale or when somebody else is
	 * taking over, or a retry when the file changed meanwhile
	 * @throws IOException on I/O failure
	 */
	static Attempt tryTakeOver(FileLockBackend backend, LockTarget target, @Nullable FileFacts observed)
			throws IOException {
		Attempt held = Attempt.held(observed);
		if (observed == null) {
			return held;
		}
		if (HeldLocks.leaseOf(observed.fileKey()) != null) {
			// this JVM holds the file under another name (a bind mount, a hard link):
			// nobody to take over, and reading its PID would open the held file
			return held;
		}
		Watch watch = backend.takeoverWatch;
		Sighting sighting = sight(target, observed);
		if (!watch.isStale(target.key(), sighting)) {
			return held;
		}
		return TakeoverLock.fenced(target, (token) -> {
			FileFacts now = LockFiles.lstat(target.path());
			if (now == null || !sighting.equals(sight(target, now))) {
				// a heartbeat, a release or another takeover came first: watch again
				return Attempt.RETRY;
			}
			Attempt replaced = replace(target, now);
			if (replaced.outcome() == Outcome.ACQUIRED) {
				watch.forget(target.key());
			}
			return replaced.withFencingToken(token);
		}, held);
	}

	/**
	 * Whether a contender may be about to take over the lock file that an acquirer has
	 * just locked: only when the holder record left by the previous holder declares a
	 * heartbeat, or when it is there but cannot be read here (a contender may read it).
	 * The acquirer then confirms its file under the takeover lock, like acquirers with
	 * the heartbeat on always do. Only a missing record, or one that declares no
	 * heartbeat, spares it that.
	 * @param target where the lock lives
	 * @return whether the acquirer must confirm under the takeover lock
	 */
	static boolean possible(LockTarget target) {
		try {
			return HolderFiles.readIfPresent(target.holderFile())
				.flatMap(HolderFiles::parseDeclared)
				.map(Declared::heartbeat)
				.orElse(false);
		}
		catch (IOException ex) {
			return true;
		}
	}

	/**
	 * What a contender sees of a held lock: anything a live holder changes when it
	 * heartbeats or when the lock changes hands.
	 * @param target where the lock lives
	 * @param facts the lock file's attributes
	 * @return the sighting
	 */
	static Sighting sight(LockTarget target, FileFacts facts) {
		Optional<Declared> declared = HolderFiles.readDeclared(target.holderFile());
		return new Sighting(facts.fileKey(), facts.lastModifiedMillis(), facts.size(), lockFilePid(target, facts),
				declared.orElse(null));
	}

	/**
	 * Read the PID in a lock file that this JVM does not hold. Closing a descriptor of a
	 * file drops every POSIX lock of this process on it, so a file that this JVM holds
	 * under another name is never opened, and a descriptor that turns out to be on such a
	 * file (swapped in between the check and the open) is parked, never closed.
	 */
	private static long lockFilePid(LockTarget target, FileFacts facts) {
		if (HeldLocks.leaseOf(facts.fileKey()) != null) {
			return -1;
		}
		FileChannel channel;
		try {
			channel = HolderFiles.openWithoutBlocking(target.path());
		}
		catch (IOException ex) {
			return -1;
		}
		boolean close = false;
		try {
			Descriptors.Identified identified = Descriptors.identify(channel, target.realPath(), -1);
			FileFacts opened = (identified != null) ? identified.facts() : LockFiles.lstat(target.path());
			if (opened == null || HeldLocks.leaseOf(opened.fileKey()) != null) {
				// a file of this JVM's, or one that cannot be told: keep the descriptor
				HeldLocks.park((opened != null) ? opened.fileKey() : null, channel);
				return -1;
			}
			close = true;
			OptionalLong pid = HolderFiles.parsePid(HolderFiles.readStart(channel));
			return pid.isPresent() ? pid.getAsLong() : -1;
		}
		catch (IOException ex) {
			close = true;
			return -1;
		}
		finally {
			if (close) {
				LockAttempts.closeQuietly(channel);
			}
		}
	}

	static Attempt replace(LockTarget target, FileFacts stale) throws IOException {
		String tempName = target.path().getFileName() + "." + UUID.randomUUID() + ".tmp";
		Path temp = target.path().resolveSibling(tempName);
		FileChannel channel = LockAttempts.open(temp, true);
		boolean keep = false;
		try {
			FileLock[] regions = LockAttempts.lockRegions(channel, false);
			if (regions == null) {
				return Attempt.RETRY;
			}
			LockAttempts.writePid(channel);
			Descriptors.Identified identified = Descriptors.identify(channel,
					target.realPath().resolveSibling(tempName), -1);
			FileFacts facts = (identified != null) ? identified.facts() : LockFiles.lstat(temp);
			if (facts == null) {
				return Attempt.RETRY;
			}
			Files.move(temp, target.path(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			if (!LockFiles.pathNames(target.path(), facts)) {
				return Attempt.RETRY;
			}
			keep = true;
			return Attempt.acquired(new LockedFile(channel, regions[0], regions[1], facts,
					(identified != null) ? identified.descriptor() : -1), stale);
		}
		finally {
			if (!keep) {
				LockAttempts.closeQuietly(channel);
				Files.deleteIfExists(temp);
			}
		}
	}

	/**
	 * What a contender saw of a held lock.
	 *
	 * @param fileKey the lock file's identity
	 * @param lastModifiedMillis its modification time, as the holder's clock set it;
	 * compared only for change, never with a clock
	 * @param size its size
	 * @param pid the PID in the lock file, or {@code -1}
	 * @param declared the holder record with the heartbeat declaration, or {@code null}
	 */
	record Sighting(@Nullable Object fileKey, long lastModifiedMillis, long size, long pid,
			@Nullable Declared declared) {

		/**
		 * How long this sighting must stay unchanged before the holder counts as hung.
		 * @return the holder's declared stale timeout plus interval, or {@code null} when
		 * the holder may never be taken over
		 */
		@Nullable Duration staleAfter() {
			if (this.declared == null || !this.declared.heartbeat() || this.pid <= 0
					|| this.declared.holder().pid() != this.pid) {
				return null;
			}
			return this.declared.staleTimeout().plus(this.declared.interval());
		}

	}

	/**
	 * A contender's memory of what it saw of each lock and since when, on its own
	 * monotonic clock.
	 */
	static final class Watch {

		private final Map<String, Seen> seen = new ConcurrentHashMap<>();

		private final LongSupplier clock;

		/**
		 * Create an empty memory.
		 * @param clock the contender's monotonic clock, in nanoseconds
		 */
		Watch(LongSupplier clock) {
			this.clock = clock;
		}

		/**
		 * Record a sighting and tell whether it has stayed unchanged for as long as the
		 * holder declared.
		 * @param key the lock
		 * @param sighting what is seen now
		 * @return whether the holder counts as hung
		 */
		boolean isStale(String key, Sighting sighting) {
			Duration after = sighting.staleAfter();
			if (after == null) {
				this.seen.remove(key);
				return false;
			}
			long now = this.clock.getAsLong();
			Seen previous = this.seen.get(key);
			if (previous == null || !previous.sighting().equals(sighting)) {
				this.seen.put(key, new Seen(sighting, now));
				return false;
			}
			return now - previous.sinceNanos() >= after.toNanos();
		}

		void forget(String key) {
			this.seen.remove(key);
		}

		private record Seen(Sighting sighting, long sinceNanos) {
		}

	}

	/**
	 * Whether the holder of a lock file could be one that stopped heartbeating: see
	 * {@link FileLockBackend#mayBeTakenOver(io.forwardlock.lock.LockRequest)}.
	 * @param lockFile the lock file
	 * @param holderFile its holder record
	 * @return whether a contender that watches it might take it over
	 */
	static boolean mayBeTakenOver(Path lockFile, Path holderFile) {
		try {
			LockFiles.FileFacts facts = LockFiles.lstat(lockFile);
			if (facts == null) {
				return false;
			}
			HolderFiles.Declared declared = HolderFiles.readDeclared(holderFile).orElse(null);
			if (declared == null || !declared.heartbeat()) {
				return false;
			}
			Duration staleTimeout = declared.staleTimeout();
			long unchangedMillis = System.currentTimeMillis() - facts.lastModifiedMillis();
			return staleTimeout == null || unchangedMillis < 0 || unchangedMillis >= staleTimeout.toMillis();
		}
		catch (IOException ex) {
			return true;
		}
	}

}
