package io.forwardlock.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.forwardlock.autoconfigure.ForwardLockProperties.Backend;

import io.forwardlock.diagnostics.LockStartupException;
import io.forwardlock.lifecycle.ForwardLock;
import io.forwardlock.lifecycle.ForwardLockLifecycle;
import io.forwardlock.lifecycle.LockLostHandler;
import io.forwardlock.lifecycle.LockState;
import io.forwardlock.lifecycle.LockStatusProvider;
import io.forwardlock.lifecycle.MarkDownOnLockLost;
import io.forwardlock.lifecycle.ShutdownOnLockLost;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardLockAutoConfiguration}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForwardLockAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ForwardLockAutoConfiguration.class));

	@TempDir
	Path dir;

	@Test
	void runShouldHoldTheLockWhileTheContextRuns() {
		Path lockFile = this.dir.resolve("orders.lock");
		guarded().run((context) -> {
			assertThat(context).hasNotFailed()
				.hasSingleBean(ForwardLockLifecycle.class)
				.hasSingleBean(FileLockBackend.class)
				.hasSingleBean(LockRequest.class);
			ForwardLockLifecycle lifecycle = context.getBean(ForwardLockLifecycle.class);
			assertThat(context.getBean(LockStatusProvider.class)).isSameAs(lifecycle);
			assertThat(lifecycle.getStatus().state()).isEqualTo(LockState.ACQUIRED);
			assertThat(lifecycle.getStatus().location()).isEqualTo(lockFile.toString());
			// Never read the lock file here: closing any descriptor of it drops this
			// JVM's lock
			assertThat(lockFile).exists();
			assertThat(lifecycle.getStatus().holder().pid()).isEqualTo(ProcessHandle.current().pid());
			assertThat(context.getBean(LockLostHandler.class)).isInstanceOf(ShutdownOnLockLost.class);
		});
		assertThat(lockFile).doesNotExist();
	}

	@Test
	void runWhenDisabledShouldBackOff() {
		guarded().withPropertyValues("forward.lock.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed()
				.doesNotHaveBean(ForwardLockLifecycle.class)
				.doesNotHaveBean(LockStatusProvider.class)
				.doesNotHaveBean(LockBackend.class)
				.doesNotHaveBean(LockRequest.class);
			assertThat(this.dir.resolve("orders.lock")).doesNotExist();
		});
	}

	@Test
	void runWhenDisabledGuardedWorkThatInjectsForwardLockStartsAndRunsWithoutAToken() {
		guarded().withPropertyValues("forward.lock.enabled=false").withBean(GuardedWork.class).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(ForwardLockLifecycle.class);
			assertThat(context.getBean(GuardedWork.class).lock.ensureHeld()).isEmpty();
			assertThat(context.getBean(ForwardLock.class).isHeld()).isTrue();
			assertThat(this.dir.resolve("orders.lock")).doesNotExist();
		});
	}

	@Test
	void runWhenDisabledAForwardLockOfTheApplicationIsKept() {
		ForwardLock own = OptionalLong::empty;
		guarded().withPropertyValues("forward.lock.enabled=false")
			.withBean("ownLock", ForwardLock.class, () -> own)
			.run((context) -> assertThat(context).hasNotFailed().getBean(ForwardLock.class).isSameAs(own));
	}

	@Test
	void runWhenEnabledTheForwardLockIsTheLifecycle() {
		guarded().run((context) -> assertThat(context).hasNotFailed()
			.getBean(ForwardLock.class)
			.isSameAs(context.getBean(ForwardLockLifecycle.class)));
	}

	@Test
	void runWhenDisabledWithAcquireEarlyShouldTakeNoLock() {
		guarded().withPropertyValues("forward.lock.enabled=false", "forward.lock.acquire-early=true").run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(LockStatusProvider.class);
			assertThat(this.dir.resolve("orders.lock")).doesNotExist();
		});
	}

	@Test
	void runWhenDisabledShouldNotAskAnyBackendFactory() {
		guarded().withPropertyValues("forward.lock.enabled=false", "forward.lock.backend=kubernetes")
			.withBean("failingFactory", LockBackendFactory.class, () -> new TestFactory(Backend.KUBERNETES, () -> {
				throw new AssertionError("A disabled guard must not create a backend");
			}))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(LockBackend.class));
	}

	@Test
	void backendIsCreatedByTheFactoryForTheSelectedValue(@TempDir Path otherDir) {
		guarded().withPropertyValues("forward.lock.backend=zookeeper")
			.withBean("zookeeperFactory", LockBackendFactory.class,
					() -> new TestFactory(Backend.ZOOKEEPER, () -> new FileLockBackend(otherDir)))
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(LockBackend.class);
				assertThat(otherDir.resolve("orders.lock")).exists();
				assertThat(this.dir.resolve("orders.lock")).doesNotExist();
			});
	}

	@Test
	void backendWithoutItsModuleFailsNamingTheModuleAndNeverFallsBackToAFile() {
		guarded().withPropertyValues("forward.lock.backend=kubernetes").run((context) -> {
			assertThat(context).hasFailed();
			LockException failure = StartupFailures.findCause(context.getStartupFailure(), LockException.class);
			assertThat(failure.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE);
			assertThat(failure.getMessage())
				.contains("forward.lock.backend=kubernetes needs forward-lock-kubernetes on the class path")
				.contains("forward.lock.backend=file");
			assertThat(this.dir.resolve("orders.lock")).doesNotExist();
		});
		guarded().withPropertyValues("forward.lock.backend=zookeeper")
			.run((context) -> assertThat(
					StartupFailures.findCause(context.getStartupFailure(), LockException.class).getMessage())
				.contains("forward.lock.backend=zookeeper needs forward-lock-zookeeper on the class path"));
	}

	@Test
	void twoFactoriesForTheSelectedBackendFailStartup(@TempDir Path otherDir) {
		guarded()
			.withBean("secondFileFactory", LockBackendFactory.class,
					() -> new TestFactory(Backend.FILE, () -> new FileLockBackend(otherDir)))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(StartupFailures.findCause(context.getStartupFailure(), LockException.class).getMessage())
					.contains("forward.lock.backend=file is served by 2 LockBackendFactory beans");
				assertThat(otherDir.resolve("orders.lock")).doesNotExist();
				assertThat(this.dir.resolve("orders.lock")).doesNotExist();
			});
	}

	@Test
	void userDefinedBackendWins(@TempDir Path otherDir) {
		guarded().withBean("myBackend", LockBackend.class, () -> new FileLockBackend(otherDir)).run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(LockBackend.class).hasBean("myBackend");
			assertThat(otherDir.resolve("orders.lock")).exists();
			assertThat(this.dir.resolve("orders.lock")).doesNotExist();
		});
	}

	@Test
	void userDefinedLostHandlerWins() {
		LockLostHandler mine = (event) -> {
		};
		guarded().withBean(LockLostHandler.class, () -> mine)
			.run((context) -> assertThat(context.getBean(LockLostHandler.class)).isSameAs(mine));
	}

	@Test
	void onLostMarkDownSelectsTheMarkDownHandler() {
		guarded().withPropertyValues("forward.lock.on-lost=mark-down")
			.run((context) -> assertThat(context.getBean(LockLostHandler.class))
				.isInstanceOf(MarkDownOnLockLost.class));
	}

	@Test
	void lockNameFallsBackToApplicationThenToTheDefault() {
		this.contextRunner.withPropertyValues("forward.lock.dir=" + this.dir, "spring.application.name=My Orders/App")
			.run((context) -> assertThat(context.getBean(LockRequest.class).name())
				.matches("My-Orders-App-[0-9a-f]{8}"));
		this.contextRunner.withPropertyValues("forward.lock.dir=" + this.dir)
			.run((context) -> assertThat(context.getBean(LockRequest.class).name()).isEqualTo("application"));
		guarded().withPropertyValues("forward.lock.name=billing")
			.run((context) -> assertThat(this.dir.resolve("billing.lock")).exists());
	}

	@Test
	void heartbeatPropertiesReachTheRequest() {
		guarded()
			.withPropertyValues("forward.lock.heartbeat.enabled=true", "forward.lock.heartbeat.interval=2s",
					"forward.lock.stale-timeout=7s")
			.run((context) -> {
				LockRequest request = context.getBean(LockRequest.class);
				assertThat(request.heartbeatEnabled()).isTrue();
				assertThat(request.heartbeatInterval()).hasSeconds(2);
				assertThat(request.staleTimeout()).hasSeconds(7);
				assertThat(context.getBean(ForwardLockLifecycle.class).isHeartbeatEnabled()).isTrue();
			});
	}

	@Test
	void fileLockWithTheHeartbeatOnHasAFencingTokenAndWithoutItNone() {
		guarded().withPropertyValues("forward.lock.heartbeat.enabled=true")
			.run((context) -> assertThat(context.getBean(LockStatusProvider.class).getStatus().fencingToken())
				.isPositive());
		guarded().run(
				(context) -> assertThat(context.getBean(LockStatusProvider.class).getStatus().fencingToken()).isNull());
	}

	@Test
	void secondContextIsRefusedUntilTheFirstCloses() {
		guarded().run((first) -> {
			assertThat(first).hasNotFailed();
			guarded().withPropertyValues("forward.lock.exit-code=42").run((second) -> {
				assertThat(second).hasFailed();
				LockStartupException refusal = StartupFailures.findCause(second.getStartupFailure(),
						LockStartupException.class);
				assertThat(refusal.getType()).isEqualTo(LockErrorType.INSTANCE_RUNNING);
				assertThat(refusal.getExitCode()).isEqualTo(42);
				assertThat(refusal.getFailure().getPid()).isEqualTo(ProcessHandle.current().pid());
				assertThat(refusal.getFailure().getLocation()).isEqualTo(this.dir.resolve("orders.lock").toString());
			});
			assertThat(first.getBean(ForwardLockLifecycle.class).getStatus().state()).isEqualTo(LockState.ACQUIRED);
		});
		guarded().run((third) -> assertThat(third).hasNotFailed());
	}

	@Test
	void jdbcBackendWithoutABackendBeanFailsWithHelp() {
		guarded().withPropertyValues("forward.lock.backend=jdbc").run((context) -> {
			assertThat(context).hasFailed();
			LockException failure = StartupFailures.findCause(context.getStartupFailure(), LockException.class);
			assertThat(failure.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE);
			assertThat(failure.getMessage()).contains("forward.lock.backend=jdbc").contains("DataSource");
		});
	}

	@Test
	void worksWithoutOptionalDependencies() {
		guarded()
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate", "org.springframework.jdbc",
					"io.micrometer"))
			.run((context) -> assertThat(context.getBean(ForwardLockLifecycle.class).getStatus().state())
				.isEqualTo(LockState.ACQUIRED));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			textBlock = """
					forward.lock.heartbeat.interval=31s | heartbeat.interval | must be at most half of forward.lock.stale-timeout (60s)
					forward.lock.stale-timeout=0s       | staleTimeout       | must be a positive duration
					forward.lock.verify-interval=-5s    | verifyInterval     | must be a positive duration
					forward.lock.retry-delay=0ms        | retryDelay         | must be a positive duration
					forward.lock.max-retries=-1         | maxRetries         | must be 0 or more
					forward.lock.exit-code=0            | exitCode           | from 1 to 255
					forward.lock.lost-exit-code=256     | lostExitCode       | from 1 to 255
					forward.lock.name=../etc/passwd     | name               | letters, digits
					forward.lock.dir-mode=0777          | dirMode            | lets every user delete the lock file: remove the write bit (such as 0750) or add the sticky bit (such as 1770); for example forward.lock.dir-mode=0750
					forward.lock.dir-mode=0770          | dirMode            | lets its group delete the lock file
					forward.lock.dir-mode=rwx           | dirMode            | use octal such as 0700 or 0750, or letters such as rwxr-x---; for example forward.lock.dir-mode=0750
					""")
	void invalidValueFailsStartupNamingThePropertyAndTheFix(String property, String field, String advice) {
		guarded().withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			BindValidationException failure = StartupFailures.findCause(context.getStartupFailure(),
					BindValidationException.class);
			assertThat(failure.getValidationErrors().getAllErrors()).singleElement()
				.satisfies((error) -> assertThat(error.toString()).contains("forward.lock").contains(field))
				.satisfies((error) -> assertThat(error.getDefaultMessage()).contains(advice));
			assertThat(this.dir.resolve("orders.lock")).doesNotExist();
		});
	}

	@Test
	void verifyIntervalLongerThanTheStaleTimeoutIsAccepted() {
		// the deadline is kept on the clock and renewals detect a takeover: no
		// verification is needed to stop in time, so the two are not compared
		guarded()
			.withPropertyValues("forward.lock.heartbeat.enabled=true", "forward.lock.heartbeat.interval=10s",
					"forward.lock.stale-timeout=30s", "forward.lock.verify-interval=1m")
			.run((context) -> assertThat(context.getBean(ForwardLockLifecycle.class).getStatus().state())
				.isEqualTo(LockState.ACQUIRED));
	}

	@Test
	void missingLockDirectoryIsCreatedWithTheConfiguredMode() {
		Path locks = this.dir.resolve("shared/locks");
		guarded().withPropertyValues("forward.lock.dir=" + locks, "forward.lock.dir-mode=1770").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(locks.resolve("orders.lock")).exists();
			assertThat((Integer) Files.getAttribute(locks, "unix:mode") & 07777).isEqualTo(01770);
			assertThat((Integer) Files.getAttribute(locks.getParent(), "unix:mode") & 07777).isEqualTo(01770);
		});
	}

	private record TestFactory(Backend backend, Supplier<LockBackend> creator) implements LockBackendFactory {

		@Override
		public LockBackend createBackend(LockRequest request) {
			return this.creator.get();
		}

	}

	private ApplicationContextRunner guarded() {
		return this.contextRunner.withPropertyValues("forward.lock.dir=" + this.dir, "spring.application.name=orders",
				"forward.lock.verify-interval=1h");
	}

	static class GuardedWork {

		final ForwardLock lock;

		GuardedWork(ForwardLock lock) {
			this.lock = lock;
		}

	}

}
