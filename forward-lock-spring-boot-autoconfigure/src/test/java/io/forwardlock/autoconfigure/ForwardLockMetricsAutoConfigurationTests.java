package io.forwardlock.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.forwardlock.actuate.TestLockStatuses;
import io.forwardlock.actuate.TestLockStatuses.MutableLockStatusProvider;
import io.forwardlock.actuate.metrics.ForwardLockMetrics;
import io.forwardlock.actuate.metrics.ForwardLockMetricsListener;
import io.forwardlock.lifecycle.LockAcquiredEvent;
import io.forwardlock.lifecycle.LockLostEvent;
import io.forwardlock.lifecycle.LockStatusProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardLockMetricsAutoConfiguration}.
 */
@Timeout(60)
class ForwardLockMetricsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
						CompositeMeterRegistryAutoConfiguration.class, ForwardLockMetricsAutoConfiguration.class))
		.withBean(LockStatusProvider.class, () -> new MutableLockStatusProvider(TestLockStatuses.acquired()));

	private final ApplicationContextRunner importedRunner = new ApplicationContextRunner()
		.withUserConfiguration(ImportedAsInAnApplication.class)
		.withBean(LockStatusProvider.class, () -> new MutableLockStatusProvider(TestLockStatuses.acquired()))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new);

	@Test
	void runShouldBindLockMetersToTheMeterRegistry() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ForwardLockMetrics.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("forward.lock.held").gauge().value()).isEqualTo(1.0);
			assertThat(registry.get("forward.lock.lost").functionCounter().count()).isZero();
			assertThat(registry.get("forward.lock.heartbeat.failures").functionCounter().count()).isZero();
		});
	}

	@Test
	void runShouldRecordLockEventsPublishedInTheContext() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ForwardLockMetricsListener.class);
			context.publishEvent(
					new LockAcquiredEvent(this, TestLockStatuses.acquired(), Duration.ofMillis(40), 1, false));
			context.publishEvent(new LockLostEvent(this, TestLockStatuses.lost(), "replaced", null));
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("forward.lock.acquire").tag("outcome", "acquired").timer().count()).isEqualTo(1);
			assertThat(registry.get("forward.lock.lost").functionCounter().count()).isEqualTo(1.0);
		});
	}

	@Test
	void acquisitionPublishedWhileSingletonsAreCreatedIsRecordedOnce() {
		this.contextRunner.withBean(EarlyPublisher.class).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("forward.lock.acquire")
				.tag("outcome", "acquired")
				.timer()
				.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(250.0);
			// Tagged: refusals replayed from earlier tests of this JVM have timers of
			// their
			// own
			assertThat(registry.get("forward.lock.acquire").tag("outcome", "acquired").timer().count()).isEqualTo(1);
		});
	}

	@Test
	void earlyAcquisitionIsTimedFromTheLifecycle(@TempDir Path lockDir) {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ForwardLockAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					ForwardLockMetricsAutoConfiguration.class))
			.withPropertyValues("forward.lock.dir=" + lockDir, "forward.lock.name=metrics-early",
					"forward.lock.acquire-early=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get("forward.lock.held").gauge().value()).isEqualTo(1.0);
				assertThat(registry.get("forward.lock.acquire").tag("outcome", "acquired").timer().count())
					.isEqualTo(1);
			});
	}

	@Test
	void backsOffWithNoMeterRegistryBean() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ForwardLockMetricsAutoConfiguration.class))
			.withBean(LockStatusProvider.class, () -> new MutableLockStatusProvider(TestLockStatuses.acquired()))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ForwardLockMetrics.class));
	}

	@Test
	void backsOffWithNoLockStatusProviderBean() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
							CompositeMeterRegistryAutoConfiguration.class, ForwardLockMetricsAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ForwardLockMetrics.class));
	}

	@Test
	void runWhenImportedAsInAnApplicationShouldCreateMetrics() {
		this.importedRunner.run((context) -> assertThat(context).hasBean("forwardLockMetrics"));
	}

	@Test
	void backsOffQuietlyWithoutMicrometer() {
		this.importedRunner.withClassLoader(new FilteredClassLoader("io.micrometer"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(LockStatusProvider.class)
				.doesNotHaveBean("forwardLockMetrics"));
	}

	@Test
	void isListedInAutoConfigurationImports() {
		assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()).getCandidates())
			.contains(ForwardLockMetricsAutoConfiguration.class.getName());
	}

	/**
	 * Publishes an acquisition while the context is still creating its singletons, as an
	 * early acquisition would.
	 */
	static class EarlyPublisher implements ApplicationEventPublisherAware, InitializingBean {

		private ApplicationEventPublisher publisher;

		@Override
		public void setApplicationEventPublisher(ApplicationEventPublisher publisher) {
			this.publisher = publisher;
		}

		@Override
		public void afterPropertiesSet() {
			this.publisher.publishEvent(
					new LockAcquiredEvent(this, TestLockStatuses.acquired(), Duration.ofMillis(250), 1, false));
		}

	}

	/**
	 * Imports the auto-configuration the way an application does, so that a missing
	 * library filters it out before its conditions are read.
	 */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(ForwardLockMetricsAutoConfiguration.class)
	static class ImportedAsInAnApplication {

	}

}
