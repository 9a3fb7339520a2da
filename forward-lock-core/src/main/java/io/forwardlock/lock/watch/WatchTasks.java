package io.forwardlock.lock.watch;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * The tasks that one {@link LockWatchdog} puts on the caller's scheduler: its periodic
 * checks, its deadline timer and checks run once, soon. Cancelling them is all the
 * watchdog does to the scheduler: it never shuts it down, and a scheduler that is
 * shutting down gets nothing new (there is nothing left to check).
 */
final class WatchTasks {

	private final ScheduledExecutorService scheduler;

	private final List<ScheduledFuture<?>> periodic = new CopyOnWriteArrayList<>();

	private volatile @Nullable ScheduledFuture<?> deadlineTimer;

	private volatile boolean cancelled;

	WatchTasks(ScheduledExecutorService scheduler) {
		this.scheduler = scheduler;
	}

	/**
	 * Run a task with a fixed delay between runs, the first after one delay.
	 * @param task the task
	 * @param delayNanos the delay, at least a millisecond is used
	 */
	void every(Runnable task, long delayNanos) {
		long delay = Math.max(1_000_000, delayNanos);
		this.periodic.add(this.scheduler.scheduleWithFixedDelay(task, delay, delay, TimeUnit.NANOSECONDS));
	}

	/**
	 * Run a task once, as soon as a thread of the scheduler is free, unless the tasks
	 * were cancelled or the scheduler is shutting down.
	 * @param task the task
	 */
	void runNow(Runnable task) {
		if (this.cancelled) {
			return;
		}
		try {
			this.scheduler.execute(task);
		}
		catch (RejectedExecutionException ex) {
			// shutting down: nothing left to check
		}
	}

	/**
	 * Run a task once after a delay, unless the scheduler is shutting down.
	 * @param task the task
	 * @param delayNanos the delay
	 * @return whether the task was scheduled
	 */
	boolean runAfter(Runnable task, long delayNanos) {
		if (this.cancelled) {
			return false;
		}
		try {
			this.scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
			return true;
		}
		catch (RejectedExecutionException ex) {
			return false;
		}
	}

	/**
	 * Set the deadline timer, in place of the one set before: the new one is scheduled
	 * before the old one is cancelled, so that a deadline is always set.
	 * @param timer what to run at the deadline
	 * @param delayNanos time to the deadline
	 */
	void deadlineIn(Runnable timer, long delayNanos) {
		if (this.cancelled) {
			return;
		}
		ScheduledFuture<?> previous = this.deadlineTimer;
		try {
			this.deadlineTimer = this.scheduler.schedule(timer, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			// shutting down: nothing left to time
			return;
		}
		if (previous != null) {
			previous.cancel(false);
		}
	}

	/**
	 * Cancel every task, and schedule nothing more. Idempotent; a task that is running
	 * finishes.
	 */
	void cancel() {
		this.cancelled = true;
		this.periodic.forEach((task) -> task.cancel(false));
		ScheduledFuture<?> timer = this.deadlineTimer;
		if (timer != null) {
			timer.cancel(false);
		}
	}

}
