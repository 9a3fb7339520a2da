package io.forwardlock.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.forwardlock.actuate.metrics.ForwardLockMetrics;
import io.forwardlock.diagnostics.LockStartupException;
import io.forwardlock.lifecycle.ForwardLockLifecycle;
import io.forwardlock.lifecycle.LockAcquireFailedEvent;
import io.forwardlock.lifecycle.LockLostEvent;
import io.forwardlock.lifecycle.LockState;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.file.FileLockBackend;
import io.forwardlock.lock.file.testsupport.ChildJvm;
import io.forwardlock.lock.file.testsupport.LockHolderProcess;
import io.forwardlock.lock.file.testsupport.LockProbeProcess;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationContextInitializedEvent;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.aot.AbstractAotProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Tests for {@link EarlyLockGuard}, with real {@code SpringApplication} runs in this JVM
 * and real lock files.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(OutputCaptureExtension.class)
class EarlyLockGuardTests {

	private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

	/**
	 * Heartbeat on, slow enough that no heartbeat runs during a test.
	 */
	private static final String[] HEARTBEAT = { "forward.lock.heartbeat.enabled=true",
			"forward.lock.heartbeat.interval=30m", "forward.lock.stale-timeout=1h" };

	@TempDir
	Path dir;

	private final List<ConfigurableApplicationContext> contexts = new CopyOnWriteArrayList<>();

	@BeforeEach
	void resetSideEffects() {
		SideEffect.constructed.set(0);
	}

	@AfterEach
	void closeContexts() {
		this.contexts.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void secondContextInTheSameJvmIsRefusedBeforeItExistsAndTheFirstKeepsItsLock(CapturedOutput output)
			throws Exception {
		ConfigurableApplicationContext first = run(application());
		Recorder recorder = new Recorder();
		SpringApplicationBuilder second = application().listeners(recorder);
		assertThatExceptionOfType(LockStartupException.class).isThrownBy(() -> run(second))
			.satisfies((ex) -> assertThat(ex.getExitCode()).isEqualTo(75))
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.INSTANCE_RUNNING));
		assertThat(recorder.contextsInitialized).hasValue(0);
		assertThat(SideEffect.constructed).hasValue(1);
		assertThat(recorder.failures).singleElement().satisfies((event) -> {
			assertThat(event.getAttempts()).isEqualTo(1);
			assertThat(event.getStatus().state()).isEqualTo(LockState.NOT_STARTED);
			assertThat(event.getStatus().holder().pid()).isEqualTo(ProcessHandle.current().pid());
		});
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Holder: PID " + ProcessHandle.current().pid())
			.contains("Lock:   " + lockFile());
		ForwardLockLifecycle lifecycle = first.getBean(ForwardLockLifecycle.class);
		assertThat(lifecycle.getStatus().state()).isEqualTo(LockState.ACQUIRED);
		assertThat(probeFromAnotherProcess()).isEqualTo("LOCKED_BY_OTHER");
	}

	@Test
	void probeRefusesBeforeAnyListenerOrderedAfterLoggingSeesTheEnvironmentAndLogsTheReportAsConfigured(
			CapturedOutput output) {
		run(application());
		// Boot's background preinitializer starts right after logging; a failed start-up
		// waits for it
		RightAfterLogging afterLogging = new RightAfterLogging();
		assertThatExceptionOfType(LockStartupException.class)
			.isThrownBy(() -> run(application().listeners(afterLogging)))
			.satisfies((ex) -> assertThat(ex.getExitCode()).isEqualTo(75));
		assertThat(afterLogging.environmentsSeen).hasValue(0);
		assertThat(output).containsPattern("ERROR \\d+ --- \\[orders\\] .*LoggingFailureAnalysisReporter")
			.contains("APPLICATION FAILED TO START");
	}

	@Test
	void probeRefusesAlsoWhenNoLoggingListenerComesAfterIt() {
		run(application());
		SpringApplicationBuilder builder = application();
		SpringApplication application = builder.application();
		application.setListeners(application.getListeners()
			.stream()
			.filter((listener) -> !(listener instanceof LoggingApplicationListener))
			.toList());
		Recorder recorder = new Recorder();
		assertThatExceptionOfType(LockStartupException.class).isThrownBy(() -> run(builder.listeners(recorder)))
			.satisfies((ex) -> assertThat(ex.getType()).isEqualTo(LockErrorType.INSTANCE_RUNNING));
		assertThat(recorder.contextsInitialized).hasValue(0);
		assertThat(recorder.failures).hasSize(1);
		assertThat(SideEffect.constructed).hasValue(1);
	}

	@Test
	void childContextIsNotRefusedByItsParentsLockAndSharesIt() throws Exception {
		childSharesItsParentsLock();
	}

	@Test
	void childContextWithAcquireEarlyIsNotRefusedByItsParentsLockAndSharesIt() throws Exception {
		childSharesItsParentsLock("forward.lock.acquire-early=true");
	}

	private void childSharesItsParentsLock(String... childProperties) throws Exception {
		ConfigurableApplicationContext child = run(
				application().child(ChildApplication.class).web(WebApplicationType.NONE).properties(childProperties));
		ConfigurableApplicationContext parent = (ConfigurableApplicationContext) child.getParent();
		this.contexts.add(parent);
		assertThat(child.isActive()).isTrue();
		// One lock for the hierarchy: the parent's
		assertThat(child.getBeanNamesForType(ForwardLockLifecycle.class)).isEmpty();
		assertThat(child.getBean(ForwardLockLifecycle.class)).isSameAs(parent.getBean(ForwardLockLifecycle.class));
		assertThat(SideEffect.constructed).hasValue(2);
		// Another application of this JVM is still turned away before it exists
		Recorder recorder = new Recorder();
		assertThatExceptionOfType(LockStartupException.class).isThrownBy(() -> run(application().listeners(recorder)));
		assertThat(recorder.contextsInitialized).hasValue(0);
		child.close();
		assertThat(parent.getBean(ForwardLockLifecycle.class).getStatus().state()).isEqualTo(LockState.ACQUIRED);
		assertThat(probeFromAnotherProcess()).isEqualTo("LOCKED_BY_OTHER");
		parent.close();
		assertThat(lockFile()).doesNotExist();
	}

	@Test
	void refusalBeforeAnyContextExistedIsCountedByTheNextMeterRegistryOfThisJvm() {
		// Refusals left by earlier tests of this JVM
		EarlyLockEvents.replayUncounted((event) -> {
		});
		ConfigurableApplicationContext holder = run(application());
		Recorder recorder = new Recorder();
		assertThatExceptionOfType(LockStartupException.class).isThrownBy(() -> run(application().listeners(recorder)));
		assertThat(recorder.failures).hasSize(1);
		// A refusal that ends the JVM is seen by the application's listeners, never by a
		// registry
		assertThat(recorder.failedStartups).singleElement()
			.satisfies((event) -> assertThat(event.getException()).isInstanceOf(LockStartupException.class));
		holder.close();
		ConfigurableApplicationContext next = run(application().sources(MetricsConfiguration.class));
		MeterRegistry registry = next.getBean(MeterRegistry.class);
		assertThat(registry.get(ForwardLockMetrics.ACQUIRE).tag("outcome", "refused").timer().count()).isEqualTo(1);
		assertThat(registry.get(ForwardLockMetrics.ACQUIRE).tag("outcome", "acquired").timer().count()).isEqualTo(1);
		// Counted once: a later registry does not count it again
		assertThat(EarlyLockEvents.replayUncounted((event) -> {
		})).isZero();
	}

	@Test
	void refusalKeptForALaterMeterRegistryDoesNotKeepTheRefusedApplicationAlive() {
		EarlyLockEvents.replayUncounted((event) -> {
		});
		run(application());
		assertThatExceptionOfType(LockStartupException.class).isThrownBy(() -> run(application()));
		List<Object> sources = new ArrayList<>();
		assertThat(EarlyLockEvents.replayUncounted((event) -> sources.add(event.getSource()))).isOne();
		assertThat(sources).singleElement()
			.isNotInstanceOf(SpringApplication.class)
			.isNotInstanceOf(ApplicationContext.class);
	}

	@Test
	void probeTurnedOffLeavesTheRefusalToTheRefresh() {
		run(application());
		assertThat(refusedDuringRefresh(application().properties("forward.lock.early-probe=false")))
			.isEqualTo(LockErrorType.INSTANCE_RUNNING);
		assertThat(SideEffect.constructed).hasValue(2);
	}

	@Test
	void probeStaysOutOfTheWayOfRetries() {
		run(application());
		assertThat(refusedDuringRefresh(
				application().properties("forward.lock.max-retries=1", "forward.lock.retry-delay=10ms")))
			.isEqualTo(LockErrorType.MAX_RETRIES_EXCEEDED);
		assertThat(SideEffect.constructed).hasValue(2);
	}

	@Test
	void probeWithTheHeartbeatOnRefusesAHolderThatHeartbeatsBeforeTheContextExists() {
		run(application().properties(HEARTBEAT));
		Recorder recorder = new Recorder();
		assertThatExceptionOfType(LockStartupException.class)
			.isThrownBy(() -> run(application().properties(HEARTBEAT).listeners(recorder)))
			.satisfies((ex) -> assertThat(ex.getExitCode()).isEqualTo(75));
		assertThat(recorder.contextsInitialized).hasValue(0);
		assertThat(recorder.failures).hasSize(1);
		assertThat(SideEffect.constructed).hasValue(1);
	}

	@Test
	void probeWithTheHeartbeatOnRefusesAHolderThatDeclaredNoHeartbeat() throws Exception {
		run(application());
		// However long ago its file changed: a holder without heartbeat is never taken
		// over
		setLockFileChanged(Duration.ofDays(1));
		assertThatExceptionOfType(LockStartupException.class)
			.isThrownBy(() -> run(application().properties(HEARTBEAT)));
		assertThat(SideEffect.constructed).hasValue(1);
	}

	@Test
	void probeWithTheHeartbeatOnLeavesAHolderThatMayHaveStoppedHeartbeatingToTheRefresh() throws Exception {
		run(application().properties(HEARTBEAT));
		// Unchanged for longer than the holder's stale timeout, as a hung holder's file
		setLockFileChanged(Duration.ofHours(3));
		assertThat(refusedDuringRefresh(application().properties(HEARTBEAT))).isEqualTo(LockErrorType.INSTANCE_RUNNING);
		assertThat(SideEffect.constructed).hasValue(2);
	}

	@Test
	void probeWithTheHeartbeatOnLeavesAHolderWhoseFileChangedInTheFutureToTheRefresh() throws Exception {
		run(application().properties(HEARTBEAT));
		// The clock stepped back: how long the file has been unchanged cannot be told
		setLockFileChanged(Duration.ofHours(-3));
		assertThat(refusedDuringRefresh(application().properties(HEARTBEAT))).isEqualTo(LockErrorType.INSTANCE_RUNNING);
		assertThat(SideEffect.constructed).hasValue(2);
	}

	@Test
	void probeOfAFreeLockLetsTheApplicationStart() {
		ConfigurableApplicationContext context = run(application());
		assertThat(context.getBean(ForwardLockLifecycle.class).getStatus().state()).isEqualTo(LockState.ACQUIRED);
	}

	@Test
	void acquireEarlyTakesTheLockBeforeTheContextExistsAndHandsItToTheLifecycle() throws Exception {
		AtomicInteger lockedWhenContextInitialized = new AtomicInteger();
		ApplicationListener<ApplicationContextInitializedEvent> check = (event) -> {
			try {
				if ("LOCKED_BY_OTHER".equals(probeFromAnotherProcess())) {
					lockedWhenContextInitialized.incrementAndGet();
				}
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		};
		ConfigurableApplicationContext context = run(
				application().properties("forward.lock.acquire-early=true").listeners(check));
		assertThat(lockedWhenContextInitialized).hasValue(1);
		ForwardLockLifecycle lifecycle = context.getBean(ForwardLockLifecycle.class);
		assertThat(lifecycle.getStatus().state()).isEqualTo(LockState.ACQUIRED);
		assertThat(context.getBeanFactory().getSingleton(EarlyLockGuard.HANDOVER_BEAN_NAME))
			.isInstanceOfSatisfying(EarlyLockGuard.Handover.class, (handover) -> assertThat(handover.get()).isNull());
		context.close();
		assertThat(lockFile()).doesNotExist();
	}

	@Test
	void acquireEarlyLockFileDeletedDuringStartUpIsRepairedBeforeTheLifecycleTakesItOver() throws Exception {
		ApplicationListener<ApplicationContextInitializedEvent> deleteLockFile = (event) -> deleteQuietly(lockFile());
		ConfigurableApplicationContext context = run(
				application().properties("forward.lock.acquire-early=true").listeners(deleteLockFile));
		assertThat(context.getBean(ForwardLockLifecycle.class).getStatus().state()).isEqualTo(LockState.ACQUIRED);
		assertThat(probeFromAnotherProcess()).isEqualTo("LOCKED_BY_OTHER");
	}

	@Test
	void acquireEarlyLockTakenByAnotherInstanceDuringStartUpIsPublishedAsLostAndRefused() throws Exception {
		try (ChildJvm other = ChildJvm.start(LockHolderProcess.class, this.dir.toString(), "orders")) {
			other.await(CHILD_TIMEOUT, "READY");
			// A tmp cleaner deletes the lock file while this instance starts, and another
			// instance takes the lock with a new file
			ApplicationListener<ApplicationContextInitializedEvent> takeOver = (event) -> {
				deleteQuietly(lockFile());
				try {
					assertThat(other.ask("acquire", CHILD_TIMEOUT, "ACQUIRED", "BUSY", "ERROR")).isEqualTo("ACQUIRED");
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			};
			Recorder recorder = new Recorder();
			Throwable failure = catchThrowable(() -> run(
					application().properties("forward.lock.acquire-early=true").listeners(takeOver, recorder)));
			LockStartupException refusal = StartupFailures.findCause(failure, LockStartupException.class);
			assertThat(refusal).as("refusal in %s", failure).isNotNull();
			assertThat(refusal.getType()).isEqualTo(LockErrorType.INSTANCE_RUNNING);
			assertThat(recorder.losses).singleElement()
				.satisfies((event) -> assertThat(event.getStatus().state()).isEqualTo(LockState.LOST));
			assertThat(other.ask("verify", CHILD_TIMEOUT, "VERIFY")).contains("HELD");
		}
	}

	@Test
	void acquireEarlyRefusesBeforeAnyListenerOrderedAfterLoggingSeesTheEnvironmentAndLogsTheReportAsConfigured(
			CapturedOutput output) {
		run(application());
		RightAfterLogging afterLogging = new RightAfterLogging();
		assertThatExceptionOfType(LockStartupException.class)
			.isThrownBy(() -> run(application().properties("forward.lock.acquire-early=true").listeners(afterLogging)))
			.satisfies((ex) -> assertThat(ex.getExitCode()).isEqualTo(75));
		assertThat(afterLogging.environmentsSeen).hasValue(0);
		assertThat(output).containsPattern("ERROR \\d+ --- \\[orders\\] .*LoggingFailureAnalysisReporter")
			.contains("APPLICATION FAILED TO START");
	}

	@Test
	void acquireEarlyRefusalHappensBeforeTheContextExistsAndIsPublished() {
		run(application());
		Recorder recorder = new Recorder();
		assertThatExceptionOfType(LockStartupException.class)
			.isThrownBy(() -> run(application().properties("forward.lock.acquire-early=true").listeners(recorder)));
		assertThat(recorder.contextsInitialized).hasValue(0);
		assertThat(recorder.failures).hasSize(1);
		assertThat(SideEffect.constructed).hasValue(1);
	}

	@Test
	void acquireEarlyWithAnotherBackendReleasesTheFileLockTakenEarly() {
		Path otherDir = this.dir.resolve("other");
		ConfigurableApplicationContext context = run(application().sources(OtherBackendConfiguration.class)
			.properties("forward.lock.acquire-early=true", "other.dir=" + otherDir));
		assertThat(context.getBean(ForwardLockLifecycle.class).getStatus().location())
			.isEqualTo(otherDir.resolve("orders.lock").toString());
		assertThat(lockFile()).doesNotExist();
	}

	@Test
	void doesNothingDuringAotProcessing() {
		MockEnvironment environment = new MockEnvironment().withProperty("forward.lock.dir", this.dir.toString())
			.withProperty("spring.application.name", "orders")
			.withProperty("forward.lock.acquire-early", "true");
		EarlyLockGuard guard = new EarlyLockGuard();
		System.setProperty(AbstractAotProcessor.AOT_PROCESSING, "true");
		try {
			guard.onApplicationEvent(
					new ApplicationEnvironmentPreparedEvent(null, new SpringApplication(), new String[0], environment));
		}
		finally {
			System.clearProperty(AbstractAotProcessor.AOT_PROCESSING);
		}
		assertThat(lockFile()).doesNotExist();
	}

	@Test
	void doesNothingWhenTheLockIsDisabled() {
		run(application());
		run(application().properties("forward.lock.enabled=false"));
		assertThat(SideEffect.constructed).hasValue(2);
	}

	@Test
	void acquireEarlyTakesNoLockWhenForwardLockIsExcludedAsAnIndexedProperty() {
		LockFileAfterTheGuard seen = new LockFileAfterTheGuard(lockFile());
		ConfigurableApplicationContext context = run(excludedAsAnIndexedProperty(AutoConfiguredApplication.class)
			.properties("forward.lock.acquire-early=true")
			.listeners(seen));
		assertThat(context.getBeanNamesForType(ForwardLockLifecycle.class)).isEmpty();
		assertThat(seen.existed).isFalse();
	}

	@Test
	void probeLetsAnApplicationThatExcludesForwardLockAsAnIndexedPropertyStartBesideAHolder() {
		run(application());
		ConfigurableApplicationContext excluded = run(excludedAsAnIndexedProperty(AutoConfiguredApplication.class));
		assertThat(excluded.getBeanNamesForType(ForwardLockLifecycle.class)).isEmpty();
	}

	@Test
	void acquireEarlyTakesNoLockWhenForwardLockIsExcludedByTheApplicationsAnnotation() {
		LockFileAfterTheGuard seen = new LockFileAfterTheGuard(lockFile());
		ConfigurableApplicationContext context = run(
				unguarded(ExcludingApplication.class).properties("forward.lock.acquire-early=true").listeners(seen));
		assertThat(context.getBeanNamesForType(ForwardLockLifecycle.class)).isEmpty();
		assertThat(seen.existed).isFalse();
	}

	@Test
	void probeLetsAnApplicationThatExcludesForwardLockByItsAnnotationStartBesideAHolder() {
		run(application());
		ConfigurableApplicationContext excluded = run(unguarded(ExcludingApplication.class));
		assertThat(excluded.getBeanNamesForType(ForwardLockLifecycle.class)).isEmpty();
	}

	@Test
	void lockTakenEarlyThatNoBeanTakesOverIsReleasedBeforeAnySingletonIsCreated(CapturedOutput output) {
		// Excluded on a configuration that the application imports: the guard sees only
		// the application's own sources, and takes the lock
		LockFileAtConstruction.existed.set(true);
		ConfigurableApplicationContext context = run(
				unguarded(ImportedExclusionApplication.class).properties("forward.lock.acquire-early=true"));
		assertThat(context.getBeanNamesForType(ForwardLockLifecycle.class)).isEmpty();
		assertThat(LockFileAtConstruction.existed).isFalse();
		assertThat(output).contains("no bean of the application context takes it over");
		// Nor does the lock keep a second instance from starting
		run(unguarded(ImportedExclusionApplication.class).properties("forward.lock.acquire-early=true"));
	}

	private SpringApplicationBuilder excludedAsAnIndexedProperty(Class<?> source) {
		return unguarded(source)
			.properties("spring.autoconfigure.exclude[0]=" + ForwardLockAutoConfiguration.class.getName());
	}

	private SpringApplicationBuilder unguarded(Class<?> source) {
		return new SpringApplicationBuilder(source).web(WebApplicationType.NONE)
			.properties("forward.lock.dir=" + this.dir, "spring.application.name=orders",
					"spring.main.banner-mode=off");
	}

	private LockErrorType refusedDuringRefresh(SpringApplicationBuilder builder) {
		Throwable failure = catchThrowable(() -> run(builder));
		LockStartupException refusal = StartupFailures.findCause(failure, LockStartupException.class);
		assertThat(refusal).as("refusal in %s", failure).isNotNull();
		return refusal.getType();
	}

	private SpringApplicationBuilder application() {
		return new SpringApplicationBuilder(GuardedApplication.class).web(WebApplicationType.NONE)
			.properties("forward.lock.dir=" + this.dir, "spring.application.name=orders",
					"forward.lock.verify-interval=1h", "spring.main.banner-mode=off");
	}

	private ConfigurableApplicationContext run(SpringApplicationBuilder builder) {
		ConfigurableApplicationContext context = builder.run();
		this.contexts.add(context);
		return context;
	}

	private static void deleteQuietly(Path file) {
		try {
			Files.deleteIfExists(file);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void setLockFileChanged(Duration ago) throws IOException {
		Files.setLastModifiedTime(lockFile(), FileTime.from(Instant.now().minus(ago)));
	}

	private Path lockFile() {
		return this.dir.resolve("orders.lock");
	}

	private String probeFromAnotherProcess() throws Exception {
		try (ChildJvm probe = ChildJvm.start(LockProbeProcess.class)) {
			probe.await(CHILD_TIMEOUT, "READY");
			return probe.ask(lockFile().toString(), CHILD_TIMEOUT, "LOCKED_BY_OTHER", "FREE", "MISSING");
		}
	}

	static final class Recorder implements ApplicationListener<ApplicationEvent> {

		final AtomicInteger contextsInitialized = new AtomicInteger();

		final List<LockAcquireFailedEvent> failures = new CopyOnWriteArrayList<>();

		final List<ApplicationFailedEvent> failedStartups = new CopyOnWriteArrayList<>();

		final List<LockLostEvent> losses = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(ApplicationEvent event) {
			if (event instanceof ApplicationContextInitializedEvent) {
				this.contextsInitialized.incrementAndGet();
			}
			else if (event instanceof LockAcquireFailedEvent failed) {
				this.failures.add(failed);
			}
			else if (event instanceof ApplicationFailedEvent failed) {
				this.failedStartups.add(failed);
			}
			else if (event instanceof LockLostEvent lost) {
				this.losses.add(lost);
			}
		}

	}

	/**
	 * Ordered where Boot's background preinitializer is: right after logging.
	 */
	static final class RightAfterLogging implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

		final AtomicInteger environmentsSeen = new AtomicInteger();

		@Override
		public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
			this.environmentsSeen.incrementAndGet();
		}

		@Override
		public int getOrder() {
			return LoggingApplicationListener.DEFAULT_ORDER;
		}

	}

	/**
	 * Ordered right after the guard: sees whether it took the lock (its file exists only
	 * while the lock is held).
	 */
	static final class LockFileAfterTheGuard
			implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

		private final Path lockFile;

		volatile boolean existed;

		LockFileAfterTheGuard(Path lockFile) {
			this.lockFile = lockFile;
		}

		@Override
		public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
			this.existed = Files.exists(this.lockFile);
		}

		@Override
		public int getOrder() {
			return LoggingApplicationListener.DEFAULT_ORDER;
		}

	}

	static final class LockFileAtConstruction {

		static final AtomicBoolean existed = new AtomicBoolean();

		LockFileAtConstruction(Path lockFile) {
			existed.set(Files.exists(lockFile));
		}

	}

	static final class SideEffect {

		static final AtomicInteger constructed = new AtomicInteger();

		SideEffect() {
			constructed.incrementAndGet();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(ForwardLockAutoConfiguration.class)
	static class GuardedApplication {

		@Bean
		SideEffect sideEffect() {
			return new SideEffect();
		}

	}

	/**
	 * A child application with auto-configuration of its own, as an application built
	 * with {@code SpringApplicationBuilder.child} has.
	 */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(ForwardLockAutoConfiguration.class)
	static class ChildApplication {

		@Bean
		SideEffect childSideEffect() {
			return new SideEffect();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
			CompositeMeterRegistryAutoConfiguration.class, ForwardLockMetricsAutoConfiguration.class })
	static class MetricsConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class AutoConfiguredApplication {

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration(exclude = ForwardLockAutoConfiguration.class)
	static class ExcludingApplication {

	}

	@Configuration(proxyBeanMethods = false)
	@Import(ExcludingApplication.class)
	static class ImportedExclusionApplication {

		@Bean
		LockFileAtConstruction lockFileAtConstruction(Environment environment) {
			return new LockFileAtConstruction(
					Path.of(environment.getProperty("forward.lock.dir")).resolve("orders.lock"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OtherBackendConfiguration {

		@Bean
		FileLockBackend otherBackend(Environment environment) {
			return new FileLockBackend(Path.of(environment.getProperty("other.dir")));
		}

	}

}
