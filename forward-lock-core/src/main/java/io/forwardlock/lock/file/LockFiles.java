package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

import io.forwardlock.lock.LockErrors;
import io.forwardlock.lock.LockException;
import org.jspecify.annotations.Nullable;

/**
 * Safe primitives on lock files: open without following links, refuse anything that is
 * not a regular file of ours, write small files atomically.
 * <p>
 * Nothing here ever opens a second descriptor on a file that this process may have
 * locked, because on POSIX closing any descriptor of a file drops every lock the process
 * holds on it.
 */
final class LockFiles {

	private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");

	private static final FileAttribute<?>[] OWNER_ONLY = { PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE) };

	private static final FileAttribute<?>[] NO_ATTRIBUTES = {};

	// built once: an acquisition opens the lock file and writes the holder record every
	// time, and building these sets costs more than a system call on a fast machine
	private static final Set<OpenOption> CREATE_FOR_LOCKING = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
			StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS);

	private static final Set<OpenOption> OPEN_FOR_LOCKING = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
			StandardOpenOption.CREATE, LinkOption.NOFOLLOW_LINKS);

	private static final Set<OpenOption> CREATE_TEMPORARY = Set.of(StandardOpenOption.WRITE,
			StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS);

	private LockFiles() {
	}

	/**
	 * Attributes of the path itself, never of a link target.
	 * @param path the path
	 * @return the attributes, or {@code null} if nothing is at the path
	 * @throws IOException on failure other than absence
	 */
	static @Nullable FileFacts lstat(Path path) throws IOException {
		try {
			return FileFacts.read(path, LinkOption.NOFOLLOW_LINKS);
		}
		catch (NoSuchFileException ex) {
			return null;
		}
	}

	/**
	 * Refuse a path that is anything but a regular, singly linked file owned by us.
	 * @param path the lock file path, for messages
	 * @param facts attributes of the file, as seen without following links
	 * @throws LockException with {@code UNSAFE_LOCK_FILE}
	 */
	static void requireSafe(Path path, FileFacts facts) {
		String problem = facts.problem();
		if (problem != null) {
			throw LockErrors.unsafeLockFile(path, problem);
		}
	}

	/**
	 * Open (creating if needed with mode 0600) a lock file for reading and writing,
	 * without following a symbolic link at its path. Read and write access keeps a FIFO
	 * that was slipped in from blocking the open.
	 * @param path the lock file path
	 * @param createNew whether the file must not exist yet
	 * @return the open channel
	 * @throws IOException on failure
	 */
	static FileChannel openForLocking(Path path, boolean createNew) throws IOException {
		return FileChannel.open(path, createNew ? CREATE_FOR_LOCKING : OPEN_FOR_LOCKING, ownerOnly(path));
	}

	/**
	 * Open an existing lock file of somebody else for inspection, without creating it and
	 * without following links.
	 * @param path the lock file path
	 * @return the open channel
	 * @throws IOException on failure, {@link NoSuchFileException} if it vanished
	 */
	static FileChannel openExisting(Path path) throws IOException {
		return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
	}

	/**
	 * File attribute that creates a file or directory accessible by its owner only, where
	 * the file system supports POSIX permissions.
	 * @param path a path on the file system
	 * @return the attributes to pass on creation
	 */
	static FileAttribute<?>[] ownerOnly(Path path) {
		// a shared array: FileChannel.open only reads it
		return isPosix(path) ? OWNER_ONLY : NO_ATTRIBUTES;
	}

	/**
	 * Whether the path still names the file described by the given attributes.
	 * @param path the lock file path
	 * @param file attributes of the file that was locked
	 * @return {@code true} if the path names that file (or, where files have no key,
	 * names any file)
	 * @throws IOException on failure
	 */
	static boolean pathNames(Path path, FileFacts file) throws IOException {
		// identity only: the basic attributes carry the key without the map that the
		// "unix:" view builds for owner and link count
		BasicFileAttributes now;
		try {
			now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
		}
		catch (NoSuchFileException ex) {
			return false;
		}
		return (file.fileKey() == null) ? !now.isSymbolicLink() : file.fileKey().equals(now.fileKey());
	}

	static boolean isPosix(Path path) {
		return path.getFileSystem().supportedFileAttributeViews().contains("posix");
	}

	/**
	 * Write a small file atomically: write a private temporary file in the same
	 * directory, then rename it over the target. Readers see the old or the new content,
	 * never a mix, and a symbolic link at the target is replaced, never followed.
	 * @param target the file to write
	 * @param content the content
	 * @throws IOException on failure; the temporary file is removed
	 */
	static void writeAtomically(Path target, byte[] content) throws IOException {
		Path temp = target.resolveSibling(target.getFileName() + "." + Long.toHexString(System.nanoTime())
				+ Integer.toHexString(System.identityHashCode(content)) + ".tmp");
		boolean moved = false;
		try {
			try (FileChannel channel = FileChannel.open(temp, CREATE_TEMPORARY, ownerOnly(temp))) {
				ByteBuffer buffer = ByteBuffer.wrap(content);
				while (buffer.hasRemaining()) {
					channel.write(buffer);
				}
			}
			Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			moved = true;
		}
		finally {
			if (!moved) {
				Files.deleteIfExists(temp);
			}
		}
	}

	/**
	 * Remove a file or an empty directory at a path, without following a symbolic link.
	 * On the default file system this is a single {@code unlink}; {@code Files.delete}
	 * would stat the path first. The slower call runs only when the fast one fails, to
	 * tell absence from a real failure.
	 * @param path the path
	 * @throws IOException if something is at the path and cannot be removed
	 */
	static void deleteIfExists(Path path) throws IOException {
		if (path.getFileSystem() == FileSystems.getDefault() && path.toFile().delete()) {
			return;
		}
		Files.deleteIfExists(path);
	}

	/**
	 * Whether an I/O failure means that access was denied.
	 * @param ex the failure
	 * @return whether it is a permission problem
	 */
	static boolean isAccessDenied(IOException ex) {
		if (ex instanceof AccessDeniedException) {
			return true;
		}
		return ex instanceof FileSystemException fse && fse.getReason() != null
				&& (fse.getReason().contains("Permission denied") || fse.getReason().contains("Read-only file system")
						|| fse.getReason().contains("Operation not permitted"));
	}

	/**
	 * Whether an open failed because the path was a symbolic link and links were not
	 * followed ({@code ELOOP}).
	 * @param ex the failure
	 * @return whether it was a refused symbolic link
	 */
	static boolean isRefusedLink(IOException ex) {
		String reason = (ex instanceof FileSystemException fse) ? fse.getReason() : ex.getMessage();
		return reason != null && reason.contains("symbolic link");
	}

	/**
	 * The attributes of a file that matter for safety and identity.
	 *
	 * @param fileKey identity of the file (device and inode on POSIX), may be
	 * {@code null} on file systems without one
	 * @param device the device number ({@code st_dev}), or {@code -1} when unknown
	 * @param inode inode number, or {@code -1} when unknown
	 * @param regular whether it is a regular file
	 * @param symbolicLink whether it is a symbolic link
	 * @param directory whether it is a directory
	 * @param uid owner uid, or {@code -1} when unknown
	 * @param links number of hard links, or {@code 1} when unknown
	 * @param lastModifiedMillis modification time
	 * @param size size in bytes
	 */
	record FileFacts(@Nullable Object fileKey, long device, long inode, boolean regular, boolean symbolicLink,
			boolean directory, int uid, int links, long lastModifiedMillis, long size) {

		static FileFacts read(Path path, LinkOption... options) throws IOException {
			if (path.getFileSystem().supportedFileAttributeViews().contains("unix")) {
				Map<String, Object> unix = Files.readAttributes(path,
						"unix:fileKey,dev,ino,isRegularFile,isSymbolicLink,isDirectory,uid,nlink,lastModifiedTime,size",
						options);
				return new FileFacts(unix.get("fileKey"), (Long) unix.get("dev"), (Long) unix.get("ino"),
						(Boolean) unix.get("isRegularFile"), (Boolean) unix.get("isSymbolicLink"),
						(Boolean) unix.get("isDirectory"), (Integer) unix.get("uid"), (Integer) unix.get("nlink"),
						((FileTime) unix.get("lastModifiedTime")).toMillis(), (Long) unix.get("size"));
			}
			BasicFileAttributes basic = Files.readAttributes(path, BasicFileAttributes.class, options);
			return new FileFacts(basic.fileKey(), -1, -1, basic.isRegularFile(), basic.isSymbolicLink(),
					basic.isDirectory(), -1, 1, basic.lastModifiedTime().toMillis(), basic.size());
		}

		/**
		 * What makes this file unsafe to use as a lock file.
		 * @return a phrase completing "it ...", or {@code null} when safe
		 */
		@Nullable String problem() {
			if (this.symbolicLink) {
				return "is a symbolic link";
			}
			if (this.directory) {
				return "is a directory";
			}
			if (!this.regular) {
				return "is not a regular file (a FIFO, socket or device)";
			}
			int self = ProcessOwner.uid();
			if (this.uid >= 0 && self >= 0 && this.uid != self) {
				return "is owned by another user (uid " + this.uid + ", this process runs as uid " + self + ")";
			}
			if (this.links > 1) {
				return "has " + this.links + " hard links, so writing it would change another file";
			}
			return null;
		}

		boolean sameFileAs(@Nullable FileFacts other) {
			return other != null && this.fileKey != null && this.fileKey.equals(other.fileKey);
		}

	}

}
