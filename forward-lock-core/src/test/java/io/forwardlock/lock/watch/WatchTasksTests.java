package io.forwardlock.lock.watch;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link WatchTasks}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WatchTasksTests {

	private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

	private final WatchTasks tasks = new WatchTasks(this.scheduler);

	@AfterEach
	void stopScheduler() {
		this.scheduler.shutdownNow();
	}

	@Test
	void aNewDeadlineReplacesTheOneSetBefore() throws InterruptedException {
		AtomicInteger early = new AtomicInteger();
		CountDownLatch late = new CountDownLatch(1);
		this.tasks.deadlineIn(early::incrementAndGet, TimeUnit.MILLISECONDS.toNanos(300));
		this.tasks.deadlineIn(late::countDown, TimeUnit.MILLISECONDS.toNanos(600));
		assertThat(late.await(20, TimeUnit.SECONDS)).isTrue();
		assertThat(early).hasValue(0);
	}

	@Test
	void cancelledTasksRunNoMoreAndNothingNewIsScheduled() throws InterruptedException {
		AtomicInteger periodic = new AtomicInteger();
		AtomicInteger afterCancel = new AtomicInteger();
		this.tasks.every(periodic::incrementAndGet, TimeUnit.MILLISECONDS.toNanos(10));
		this.tasks.deadlineIn(afterCancel::incrementAndGet, TimeUnit.MILLISECONDS.toNanos(200));
		await().atMost(Duration.ofSeconds(20)).until(() -> periodic.get() >= 2);
		this.tasks.cancel();
		this.tasks.runNow(afterCancel::incrementAndGet);
		assertThat(this.tasks.runAfter(afterCancel::incrementAndGet, 0)).isFalse();
		this.tasks.deadlineIn(afterCancel::incrementAndGet, 0);
		// a run of the periodic task may have been under way at the cancellation
		int periodicSeen = periodic.get();
		// a marker that runs after the cancelled deadline would have: by then every task
		// scheduled before or after the cancellation would have run
		CountDownLatch marker = new CountDownLatch(1);
		this.scheduler.schedule(marker::countDown, 400, TimeUnit.MILLISECONDS);
		assertThat(marker.await(20, TimeUnit.SECONDS)).isTrue();
		assertThat(afterCancel).as("runs of the deadline and of tasks given after the cancellation").hasValue(0);
		assertThat(periodic.get()).as("runs of the periodic task").isLessThanOrEqualTo(periodicSeen + 1);
	}

	@Test
	void aSchedulerThatIsShuttingDownGetsNothingNewAndNoFailure() {
		this.scheduler.shutdown();
		assertThatNoException().isThrownBy(() -> {
			this.tasks.runNow(() -> {
			});
			this.tasks.deadlineIn(() -> {
			}, 0);
		});
		assertThat(this.tasks.runAfter(() -> {
		}, 0)).isFalse();
	}

}
