package io.forwardlock.lock.example;

import java.nio.file.Path;

import io.forwardlock.lock.InstanceLock;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;

/**
 * The README's plain-Java example, run by {@code PlainJavaUsageTests} in a JVM whose
 * class path holds the core's classes and this class only: the core needs nothing else.
 */
public final class PlainJavaExample {

	private PlainJavaExample() {
	}

	public static void main(String[] args) throws Exception {
		InstanceLock lock = new InstanceLock(new FileLockBackend(Path.of(args[0])),
				LockRequest.named("billing").build());
		if (!lock.tryAcquire()) {
			System.out.println("REFUSED " + lock.checkRunningInstance().map((holder) -> holder.pid()).orElse(-1L));
			System.exit(75);
		}
		try {
			System.out.println("HELD " + lock.getLocation());
			System.in.read();
		}
		finally {
			lock.release();
		}
		System.out.println("RELEASED");
	}

}
