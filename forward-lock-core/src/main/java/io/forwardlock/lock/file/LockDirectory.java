package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

import io.forwardlock.lock.LockErrors;
import org.jspecify.annotations.Nullable;

/**
 * The lock directory of one backend: created when missing, refused when others could
 * replace files in it, and resolved to its real path, which keys this JVM's registry.
 * <p>
 * Resolving a real path reads every link on the way, so it is done once and remembered
 * with the directory's identity (device and inode). Every attempt still reads the
 * directory's attributes (one {@code stat}, following a link at the configured path as
 * the real path does): a directory replaced, moved away or re-created since has another
 * identity and is resolved again, and its owner and mode are checked every time. The
 * directories above it are checked when it is resolved: none may belong to another user
 * than this one or root, or let every user rename its entries without the sticky bit.
 */
final class LockDirectory {

	private final Path directory;

	private volatile @Nullable Resolved resolved;

	// the target built last, kept while the real path is the very one remembered
	private volatile @Nullable Built lastBuilt;

	LockDirectory(Path directory) {
		this.directory = directory;
	}

	Path path() {
		return this.directory;
	}

	/**
	 * Resolve where a lock lives.
	 * @param name the lock name
	 * @param create whether to create a missing directory
	 * @param mode the mode of directories created here, such as 0700
	 * @return the target, or {@code null} when the directory does not exist and
	 * {@code create} is {@code false}
	 */
	@Nullable LockTarget target(String name, boolean create, int mode) {
		try {
			Path realDirectory = realDirectory(create, mode);
			if (realDirectory == null) {
				return null;
			}
			Built last = this.lastBuilt;
			if (last != null && last.realDirectory() == realDirectory && last.name().equals(name)) {
				// the same directory as last time: the paths are the same
				return last.target();
			}
			Path path = this.directory.resolve(name + FileLockBackend.LOCK_SUFFIX);
			Path realPath = realDirectory.resolve(name + FileLockBackend.LOCK_SUFFIX);
			LockTarget target = new LockTarget(path, realPath,
					this.directory.resolve(name + FileLockBackend.HOLDER_SUFFIX),
					this.directory.resolve(name + FileLockBackend.TAKEOVER_SUFFIX), realPath.toString(),
					path.toString());
			this.lastBuilt = new Built(name, realDirectory, target);
			return target;
		}
		catch (IOException ex) {
			Path path = this.directory.resolve(name + FileLockBackend.LOCK_SUFFIX);
			if (LockFiles.isAccessDenied(ex)) {
				throw LockErrors.permissionDenied(path, ex);
			}
			if (ex instanceof FileAlreadyExistsException) {
				throw LockErrors.backendUnavailable(path.toString(),
						"use " + this.directory + " as the lock directory: it exists but is not a directory", ex);
			}
			throw LockErrors.backendUnavailable(path.toString(), "prepare the lock directory " + this.directory, ex);
		}
	}

	private @Nullable Path realDirectory(boolean create, int mode) throws IOException {
		if (!this.directory.getFileSystem().supportedFileAttributeViews().contains("unix")) {
			// no identity to remember it by: resolve every time
			if (create) {
				PlatformDefaults.createDirectory(this.directory, mode);
			}
			else if (!Files.isDirectory(this.directory)) {
				return null;
			}
			return this.directory.toRealPath();
		}
		Map<String, Object> attributes = attributes(this.directory);
		if (attributes == null) {
			if (!create) {
				return null;
			}
			PlatformDefaults.createDirectory(this.directory, mode);
			attributes = attributes(this.directory);
			if (attributes == null) {
				throw new NoSuchFileException(this.directory.toString(), null, "removed right after it was created");
			}
		}
		if (!Boolean.TRUE.equals(attributes.get("isDirectory"))) {
			if (!create) {
				// nothing to inspect
				return null;
			}
			throw new FileAlreadyExistsException(this.directory.toString());
		}
		String problem = PlatformDefaults.directoryProblem((Integer) attributes.get("uid"),
				(Integer) attributes.get("mode"), ProcessOwner.uid());
		Object fileKey = attributes.get("fileKey");
		Resolved known = this.resolved;
		if (known != null && fileKey != null && known.fileKey().equals(fileKey)) {
			if (problem != null) {
				throw LockErrors.unsafeLockDirectory(known.realPath(), problem);
			}
			return known.realPath();
		}
		Path realPath = this.directory.toRealPath();
		// read again through the real path: the pair remembered must describe one
		// directory, even if the configured path changed in between
		Map<String, Object> real = attributes(realPath);
		if (real == null) {
			throw new NoSuchFileException(realPath.toString());
		}
		String realProblem = PlatformDefaults.directoryProblem((Integer) real.get("uid"), (Integer) real.get("mode"),
				ProcessOwner.uid());
		if (realProblem != null) {
			throw LockErrors.unsafeLockDirectory(realPath, realProblem);
		}
		requireSafeAncestors(realPath);
		if (real.get("fileKey") != null) {
			this.resolved = new Resolved(realPath, Objects.requireNonNull(real.get("fileKey")));
		}
		return realPath;
	}

	/**
	 * Refuse a lock directory that lies in a directory whose owner, not being this user
	 * or root, or whose every user, could rename it: they could move it away and create
	 * another, where a second instance would lock a new file. Checked when the real path
	 * is resolved, that is on first use and whenever the directory was replaced. The real
	 * path has no links, so every parent is read as it is.
	 */
	private static void requireSafeAncestors(Path realPath) throws IOException {
		for (Path ancestor = realPath.getParent(); ancestor != null; ancestor = ancestor.getParent()) {
			Map<String, Object> attributes = attributes(ancestor, LinkOption.NOFOLLOW_LINKS);
			if (attributes == null) {
				throw new NoSuchFileException(ancestor.toString());
			}
			String problem = PlatformDefaults.ancestorProblem((Integer) attributes.get("uid"),
					(Integer) attributes.get("mode"), ProcessOwner.uid());
			if (problem != null) {
				throw LockErrors.unsafeLockDirectoryParent(realPath, ancestor, problem);
			}
		}
	}

	private static @Nullable Map<String, Object> attributes(Path directory, LinkOption... options) throws IOException {
		try {
			return Files.readAttributes(directory, "unix:fileKey,isDirectory,uid,mode", options);
		}
		catch (NoSuchFileException ex) {
			return null;
		}
	}

	/**
	 * A directory's real path with its identity when it was resolved.
	 *
	 * @param realPath the real path
	 * @param fileKey the identity (device and inode)
	 */
	private record Resolved(Path realPath, Object fileKey) {

	}

	/**
	 * The target of a lock name in a resolved directory.
	 *
	 * @param name the lock name
	 * @param realDirectory the real path it was built from, compared by identity
	 * @param target the target
	 */
	private record Built(String name, Path realDirectory, LockTarget target) {

	}

}
