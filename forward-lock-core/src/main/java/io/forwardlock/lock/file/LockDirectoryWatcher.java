package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Tells holders within milliseconds that their lock file, or its directory, was deleted,
 * renamed or replaced, so that they verify at once instead of at their next scheduled
 * verification. On Linux the JDK's {@link WatchService} is inotify; elsewhere it polls
 * every few seconds, no better than the verification, so it is not used there.
 * <p>
 * One watch service and one daemon thread serve the whole JVM, with one watch key per
 * lock directory. A notification is only a hint to verify: it may come when nothing was
 * lost (the holder's own repair re-creates the file), and the verification decides.
 */
final class LockDirectoryWatcher {

	private static final boolean SUPPORTED = System.getProperty("os.name", "")
		.toLowerCase(Locale.ROOT)
		.contains("linux");

	private static final Object MONITOR = new Object();

	// guarded by MONITOR
	private static final Map<WatchKey, Map<String, List<Runnable>>> LISTENERS = new HashMap<>();

	// guarded by MONITOR
	private static @Nullable WatchService service;

	private LockDirectoryWatcher() {
	}

	/**
	 * Watch a file in a directory for deletion, creation and renames, and the directory
	 * itself for deletion.
	 * @param directory the directory
	 * @param fileName the file's name in it
	 * @param listener called on the watcher thread when something changed; must return
	 * quickly
	 * @return the registration, to cancel when the file is no longer of interest
	 */
	static Registration watch(Path directory, String fileName, Runnable listener) {
		if (!SUPPORTED || directory.getFileSystem() != FileSystems.getDefault()) {
			return Registration.NONE;
		}
		synchronized (MONITOR) {
			try {
				if (service == null) {
					service = FileSystems.getDefault().newWatchService();
					Thread thread = new Thread(LockDirectoryWatcher::run, "forward-lock-watcher");
					thread.setDaemon(true);
					thread.start();
				}
				// registering a directory again returns its existing key
				WatchKey key = directory.register(service, StandardWatchEventKinds.ENTRY_CREATE,
						StandardWatchEventKinds.ENTRY_DELETE);
				LISTENERS.computeIfAbsent(key, (k) -> new HashMap<>())
					.computeIfAbsent(fileName, (n) -> new ArrayList<>())
					.add(listener);
				return () -> cancel(key, fileName, listener);
			}
			catch (IOException | RuntimeException ex) {
				// no watch (out of inotify watches, say): the scheduled verification
				// still runs
				return Registration.NONE;
			}
		}
	}

	private static void cancel(WatchKey key, String fileName, Runnable listener) {
		synchronized (MONITOR) {
			Map<String, List<Runnable>> byName = LISTENERS.get(key);
			if (byName == null) {
				return;
			}
			List<Runnable> listeners = byName.get(fileName);
			if (listeners != null) {
				listeners.remove(listener);
				if (listeners.isEmpty()) {
					byName.remove(fileName);
				}
			}
			if (byName.isEmpty()) {
				LISTENERS.remove(key);
				key.cancel();
			}
		}
	}

	private static void run() {
		WatchService watching;
		synchronized (MONITOR) {
			watching = service;
		}
		while (true) {
			WatchKey key;
			try {
				key = watching.take();
			}
			catch (InterruptedException | ClosedWatchServiceException ex) {
				return;
			}
			List<Runnable> toCall = new ArrayList<>();
			List<WatchEvent<?>> events = key.pollEvents();
			boolean valid = key.reset();
			synchronized (MONITOR) {
				Map<String, List<Runnable>> byName = LISTENERS.getOrDefault(key, Map.of());
				if (!valid) {
					// the directory itself was deleted or moved away
					byName.values().forEach(toCall::addAll);
					LISTENERS.remove(key);
				}
				else {
					for (WatchEvent<?> event : events) {
						if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
							byName.values().forEach(toCall::addAll);
						}
						else {
							List<Runnable> listeners = byName.get(Objects.toString(event.context()));
							if (listeners != null) {
								toCall.addAll(listeners);
							}
						}
					}
				}
			}
			toCall.stream().distinct().forEach(LockDirectoryWatcher::call);
		}
	}

	private static void call(Runnable listener) {
		try {
			listener.run();
		}
		catch (RuntimeException ex) {
			// a hint only: the scheduled verification still runs
		}
	}

	/**
	 * A watch that can be cancelled.
	 */
	@FunctionalInterface
	interface Registration {

		Registration NONE = () -> {
		};

		void cancel();

	}

}
