package io.forwardlock.lock.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;

import io.forwardlock.lock.file.LockFiles.FileFacts;

/**
 * A channel holding the OS lock on a lock file, as two adjacent regions that together
 * cover the whole file.
 *
 * @param channel the channel
 * @param head the lock on the first byte
 * @param tail the lock on the rest of the file
 * @param facts the locked file's attributes when it was locked, read through the
 * channel's descriptor where {@code /proc/self/fd} tells which one it is; its identity
 * (device and inode) stays the channel's for as long as the channel is open
 * @param descriptor the channel's descriptor number, where {@code /proc} proved which one
 * it is; {@code -1} when the identity comes from the path alone
 */
record LockedFile(FileChannel channel, FileLock head, FileLock tail, FileFacts facts, int descriptor) {

	/**
	 * Size of the head region of the lock, which starts at byte 0.
	 */
	static final long HEAD_SIZE = 1;

	/**
	 * Start of the tail region of the lock, right after the head.
	 */
	static final long TAIL_POSITION = HEAD_SIZE;

	/**
	 * Size of the tail region: to the largest offset Java can name.
	 */
	static final long TAIL_SIZE = Long.MAX_VALUE - TAIL_POSITION;

	/**
	 * Whether Java still considers both regions locked.
	 * @return whether valid
	 */
	boolean valid() {
		return this.channel.isOpen() && this.head.isValid() && this.tail.isValid();
	}

	/**
	 * Whether the locked file's identity was read through the descriptor itself, rather
	 * than from the path after the open.
	 * @return whether proven
	 */
	boolean identityProven() {
		return this.descriptor >= 0;
	}

	/**
	 * What the kernel says about this lock.
	 * @param kernel the view of the kernel's locks
	 * @return the evidence
	 */
	OsLocks.Evidence evidence(OsLocks kernel) {
		return kernel.evidence(this.descriptor, this.facts.device(), this.facts.inode());
	}

	/**
	 * What the kernel says about this lock, from the descriptor's own information only (a
	 * few system calls, never the whole lock table).
	 * @param kernel the view of the kernel's locks
	 * @return the evidence: {@code UNKNOWN} where the descriptor is not known or its
	 * information does not list the lock
	 */
	OsLocks.Evidence descriptorEvidence(OsLocks kernel) {
		return kernel.descriptorEvidence(this.descriptor, this.facts.inode());
	}

	/**
	 * The same lock with other regions, after a repair re-took them.
	 * @param head the head region
	 * @param tail the tail region
	 * @return the lock
	 */
	LockedFile withRegions(FileLock head, FileLock tail) {
		return new LockedFile(this.channel, head, tail, this.facts, this.descriptor);
	}

	/**
	 * Release both regions, keeping the channel open.
	 * @throws IOException on failure
	 */
	void releaseLocks() throws IOException {
		IOException failure = null;
		for (FileLock lock : new FileLock[] { this.head, this.tail }) {
			try {
				if (lock.isValid()) {
					lock.release();
				}
			}
			catch (IOException ex) {
				failure = (failure != null) ? failure : ex;
			}
		}
		if (failure != null) {
			throw failure;
		}
	}

}
