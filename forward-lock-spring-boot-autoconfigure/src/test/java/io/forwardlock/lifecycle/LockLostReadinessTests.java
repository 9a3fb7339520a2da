package io.forwardlock.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.forwardlock.autoconfigure.ForwardLockAutoConfiguration;
import io.forwardlock.lifecycle.LockLossStopsGuardedWorkTests.RecordingLifecycle;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.Verification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LockLostReadiness}, with real {@code SpringApplication} runs: a lock
 * lost during start-up, before the application is ready, must not end up accepting
 * traffic once {@code SpringApplication} marks the application ready.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LockLostReadinessTests {

	private final GatedBackend backend = new GatedBackend();

	private final List<ReadinessState> published = new CopyOnWriteArrayList<>();

	private final CountDownLatch markedDown = new CountDownLatch(1);

	private final CountDownLatch takeoverGate = new CountDownLatch(1);

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	@AfterEach
	void closeContexts() {
		this.takeoverGate.countDown();
		this.contexts.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void lossDuringStartUpKeepsReadinessRefusingTraffic() {
		ConfigurableApplicationContext context = run("forward.lock.on-lost=mark-down");
		assertThat(context.getBean(ForwardLockLifecycle.class).getStatus().state()).isEqualTo(LockState.LOST);
		assertThat(this.published).as("readiness published").contains(ReadinessState.ACCEPTING_TRAFFIC);
		assertThat(context.getBean(ApplicationAvailability.class).getReadinessState())
			.isEqualTo(ReadinessState.REFUSING_TRAFFIC);
	}

	@Test
	void lossDuringStartUpOnStandbyRefusesTrafficUntilTheLockIsTakenBack() {
		ConfigurableApplicationContext context = run("forward.lock.on-lost=standby");
		ForwardLockLifecycle lifecycle = context.getBean(ForwardLockLifecycle.class);
		ApplicationAvailability availability = context.getBean(ApplicationAvailability.class);
		assertThat(lifecycle.isHeld()).isFalse();
		assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
		this.backend.verification = Verification::held;
		this.takeoverGate.countDown();
		await().atMost(Duration.ofSeconds(20))
			.until(() -> availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC);
		assertThat(lifecycle.getStatus().state()).isEqualTo(LockState.ACQUIRED);
		assertThat(context.getBean(LosesTheLockWhileStarting.class).isRunning()).isTrue();
	}

	@Test
	void customLostHandlerDecidesReadinessItself() {
		ConfigurableApplicationContext context = run(new SpringApplicationBuilder(Application.class)
			.initializers((initializing) -> ((GenericApplicationContext) initializing).registerBean("customLostHandler",
					LockLostHandler.class, () -> (event) -> this.markedDown.countDown())));
		assertThat(context.getBean(ForwardLockLifecycle.class).getStatus().state()).isEqualTo(LockState.LOST);
		assertThat(context.getBean(ApplicationAvailability.class).getReadinessState())
			.isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
	}

	private ConfigurableApplicationContext run(String onLost) {
		return run(new SpringApplicationBuilder(Application.class).properties(onLost));
	}

	private ConfigurableApplicationContext run(SpringApplicationBuilder builder) {
		ConfigurableApplicationContext context = builder.web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "forward.lock.name=orders", "forward.lock.verify-interval=1h")
			.initializers((initializing) -> {
				GenericApplicationContext generic = (GenericApplicationContext) initializing;
				generic.registerBean("lockBackend", LockBackend.class, () -> this.backend);
				generic.registerBean("losesTheLock", LosesTheLockWhileStarting.class,
						() -> new LosesTheLockWhileStarting(generic));
			})
			.listeners((ApplicationListener<AvailabilityChangeEvent<ReadinessState>>) (event) -> {
				this.published.add(event.getState());
				if (event.getState() == ReadinessState.REFUSING_TRAFFIC) {
					this.markedDown.countDown();
				}
			})
			.run();
		this.contexts.add(context);
		return context;
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ ApplicationAvailabilityAutoConfiguration.class, ForwardLockAutoConfiguration.class })
	static class Application {

	}

	/**
	 * A lifecycle bean of the application that takes a while to start, as a listener
	 * container connecting to its broker does; the lock is lost, and the application
	 * marked down, while it starts for the first time.
	 */
	class LosesTheLockWhileStarting extends RecordingLifecycle {

		private final GenericApplicationContext context;

		LosesTheLockWhileStarting(GenericApplicationContext context) {
			super(SmartLifecycle.DEFAULT_PHASE - 1);
			this.context = context;
		}

		@Override
		public void start() {
			if (this.starts == 0) {
				LockLostReadinessTests.this.backend.verification = () -> Verification.lost("taken over", null);
				this.context.getBean(ForwardLockLifecycle.class).keeper().watchdog().verifyNow();
				await().atMost(Duration.ofSeconds(20))
					.until(() -> LockLostReadinessTests.this.markedDown.getCount() == 0);
			}
			super.start();
		}

	}

	/**
	 * The in-memory backend, whose takeover on standby waits for
	 * {@link LockLostReadinessTests#takeoverGate}: the first acquisition goes through,
	 * every later one waits.
	 */
	class GatedBackend extends InMemoryLockBackend {

		private volatile boolean acquiredOnce;

		@Override
		public Optional<LockLease> tryAcquire(LockRequest request) {
			if (this.acquiredOnce) {
				try {
					LockLostReadinessTests.this.takeoverGate.await();
				}
				catch (InterruptedException ex) {
					// the context closes: stop waiting, as a real backend would
					Thread.currentThread().interrupt();
					return Optional.empty();
				}
			}
			this.acquiredOnce = true;
			return super.tryAcquire(request);
		}

	}

}
