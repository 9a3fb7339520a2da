package io.forwardlock.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.concurrent.atomic.AtomicInteger;

import io.forwardlock.diagnostics.LockStartupException;
import io.forwardlock.lifecycle.ForwardLockLifecycle;
import io.forwardlock.lifecycle.LockState;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.file.FileLockBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link EarlyLockAcquisition}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EarlyLockAcquisitionTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ForwardLockAutoConfiguration.class));

	@TempDir
	Path dir;

	@Test
	void acquireEarlyKeepsARefusedInstanceFromCreatingSingletons() {
		SideEffects.constructed.set(0);
		guarded().run((first) -> {
			guarded().withPropertyValues("forward.lock.acquire-early=true")
				.withUserConfiguration(SideEffectConfiguration.class)
				.run((refused) -> {
					assertThat(refused).hasFailed();
					assertThat(StartupFailures.findCause(refused.getStartupFailure(), LockStartupException.class))
						.isNotNull();
				});
			assertThat(SideEffects.constructed).hasValue(0);
			// Without early acquisition the same refused instance does run the side
			// effect
			guarded().withUserConfiguration(SideEffectConfiguration.class)
				.run((refused) -> assertThat(refused).hasFailed());
			assertThat(SideEffects.constructed).hasValue(1);
		});
	}

	@Test
	void acquireEarlyWithABackendBeanKeepsARefusedInstanceFromCreatingSingletons() {
		SideEffects.constructed.set(0);
		guarded().run((first) -> guarded().withPropertyValues("forward.lock.acquire-early=true")
			.withBean("myBackend", LockBackend.class, () -> new FileLockBackend(this.dir))
			.withUserConfiguration(SideEffectConfiguration.class)
			.run((refused) -> assertThat(refused).hasFailed()));
		assertThat(SideEffects.constructed).hasValue(0);
	}

	@Test
	void acquireEarlyHoldsTheLockBeforeSingletonsAndHandsItToTheLifecycle() {
		SideEffects.constructed.set(0);
		SideEffects.lockFileExistedAtConstruction.set(0);
		guarded()
			.withPropertyValues("forward.lock.acquire-early=true",
					"sample.lock-file=" + this.dir.resolve("orders.lock"))
			.withUserConfiguration(SideEffectConfiguration.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(SideEffects.constructed).hasValue(1);
				assertThat(SideEffects.lockFileExistedAtConstruction).hasValue(1);
				assertThat(context.getBean(ForwardLockLifecycle.class).getStatus().state())
					.isEqualTo(LockState.ACQUIRED);
			});
		assertThat(this.dir.resolve("orders.lock")).doesNotExist();
	}

	@Test
	void takesNoLockWhileAotProcessing() throws Exception {
		System.setProperty(AotProcessing.PROPERTY, "true");
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
			TestPropertyValues
				.of("forward.lock.dir=" + this.dir, "spring.application.name=orders", "forward.lock.acquire-early=true")
				.applyTo(context);
			context.register(ForwardLockAutoConfiguration.class);
			context.refreshForAotProcessing(new RuntimeHints());
			assertThat(context.getBean(EarlyLockAcquisition.class).get()).isNull();
		}
		finally {
			System.clearProperty(AotProcessing.PROPERTY);
		}
		try (Stream<Path> left = Files.list(this.dir)) {
			assertThat(left).isEmpty();
		}
	}

	@Test
	void takesNothingEarlyWhenNotRequestedAtRunTime() {
		// The bean is always defined (Spring AOT would fix a condition at build time),
		// and
		// reads acquire-early when the application runs
		SideEffects.constructed.set(0);
		SideEffects.lockFileExistedAtConstruction.set(0);
		guarded().withPropertyValues("sample.lock-file=" + this.dir.resolve("orders.lock"))
			.withUserConfiguration(SideEffectConfiguration.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(EarlyLockAcquisition.class);
				assertThat(SideEffects.constructed).hasValue(1);
				assertThat(SideEffects.lockFileExistedAtConstruction).hasValue(0);
				assertThat(context.getBean(ForwardLockLifecycle.class).getStatus().state())
					.isEqualTo(LockState.ACQUIRED);
			});
	}

	private ApplicationContextRunner guarded() {
		return this.contextRunner.withPropertyValues("forward.lock.dir=" + this.dir, "spring.application.name=orders",
				"forward.lock.verify-interval=1h");
	}

	static final class SideEffects {

		static final AtomicInteger constructed = new AtomicInteger();

		static final AtomicInteger lockFileExistedAtConstruction = new AtomicInteger();

		SideEffects(String lockFile) {
			constructed.incrementAndGet();
			if (lockFile != null && Files.exists(Path.of(lockFile))) {
				lockFileExistedAtConstruction.incrementAndGet();
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SideEffectConfiguration {

		@Bean
		SideEffects sideEffects(Environment environment) {
			return new SideEffects(environment.getProperty("sample.lock-file"));
		}

	}

}
