package io.forwardlock.autoconfigure;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.sql.init.DatabaseInitializationSettings;
import org.springframework.boot.sql.init.dependency.DatabaseInitializerDetector;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import io.forwardlock.diagnostics.PropertyWords;
import io.forwardlock.lifecycle.ForwardLockLifecycle;
import io.forwardlock.lifecycle.LockLostEvent;
import io.forwardlock.lifecycle.LockLostHandler;
import io.forwardlock.lifecycle.LockState;
import io.forwardlock.lifecycle.LockStatus;
import io.forwardlock.lifecycle.LockStatusProvider;
import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.FileLockBackend;
import io.forwardlock.lock.jdbc.JdbcLockBackend;
import io.forwardlock.lock.jdbc.JdbcLockSchemaInitializer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ForwardLockJdbcAutoConfiguration}.
 */
@Timeout(120)
class ForwardLockJdbcAutoConfigurationTests {

	// The tests run in one JVM, on in-memory H2 databases: they opt in explicitly
	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(DataSourceAutoConfiguration.class, ForwardLockJdbcAutoConfiguration.class))
		.withPropertyValues("forward.lock.jdbc.allow-in-memory-database=true");

	private final ApplicationContextRunner guardedRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				ForwardLockJdbcAutoConfiguration.class, ForwardLockAutoConfiguration.class))
		.withPropertyValues("forward.lock.verify-interval=1h", "forward.lock.jdbc.allow-in-memory-database=true");

	@Test
	void definesTheFactoryButNeverTouchesTheDatabaseWhenTheBackendIsNotJdbc(@TempDir Path dir) {
		this.guardedRunner.withPropertyValues("forward.lock.dir=" + dir).run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(JdbcLockBackendFactory.class);
			assertThat(context).doesNotHaveBean(JdbcLockBackend.class);
			assertThat(context.getBean(LockBackend.class).id()).isEqualTo("file");
			assertThat(hasLockTable(context.getBean(DataSource.class), "FORWARD_LOCK")).isFalse();
		});
	}

	@Test
	void backsOffWhenForwardLockIsDisabled() {
		this.guardedRunner.withPropertyValues("forward.lock.enabled=false", "forward.lock.backend=jdbc")
			.withClassLoader(new FilteredClassLoader("org.springframework.jdbc", "org.springframework.boot.jdbc"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(LockBackend.class);
			});
	}

	@Test
	void backsOffWithoutSpringJdbcWhenTheBackendIsNotJdbc() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ForwardLockJdbcAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.jdbc", "org.springframework.boot.jdbc"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(LockBackend.class);
			});
	}

	@Test
	void createsJdbcBackendOnTheEmbeddedDatabaseAndCreatesItsTable() {
		this.guardedRunner.withPropertyValues("forward.lock.backend=jdbc").run((context) -> {
			assertThat(context).hasSingleBean(JdbcLockBackend.class);
			JdbcLockBackend backend = context.getBean(JdbcLockBackend.class);
			assertThat(backend.getTableName()).isEqualTo("FORWARD_LOCK");
			assertThat(backend.requiresHeartbeat()).isTrue();
			assertThat(hasLockTable(context.getBean(DataSource.class), "FORWARD_LOCK")).isTrue();
			assertAcquires(backend);
		});
	}

	@Test
	void usesTheConfiguredTableNameCreatedByTheConfiguredScript() {
		this.contextRunner
			.withPropertyValues("forward.lock.backend=jdbc", "forward.lock.jdbc.table-name=APP_LOCKS",
					"forward.lock.jdbc.schema=classpath:io/forwardlock/autoconfigure/app-locks-@@platform@@.sql")
			.run((context) -> {
				JdbcLockBackend backend = createBackend(context);
				assertThat(backend.getTableName()).isEqualTo("APP_LOCKS");
				try (LockLease lease = assertAcquires(backend)) {
					assertThat(lease.location()).contains("APP_LOCKS");
				}
			});
	}

	@Test
	void failsWithHelpWhenTheTableNameIsNotAnIdentifier() {
		this.contextRunner
			.withPropertyValues("forward.lock.backend=jdbc", "forward.lock.jdbc.table-name=locks; DROP TABLE x")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOfSatisfying(BindValidationException.class,
						ForwardLockJdbcAutoConfigurationTests::isAnInvalidTableName));
	}

	@Test
	void failsStartupWithHelpWhenTheTableNameIsNotAnIdentifier() {
		this.guardedRunner
			.withPropertyValues("forward.lock.backend=jdbc", "forward.lock.jdbc.table-name=locks; DROP TABLE x")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOfSatisfying(BindValidationException.class,
						ForwardLockJdbcAutoConfigurationTests::isAnInvalidTableName));
	}

	private static void isAnInvalidTableName(BindValidationException ex) {
		assertThat(ex.getValidationErrors().getAllErrors()).singleElement()
			.satisfies((error) -> assertThat(error.toString()).contains("jdbc.tableName"))
			.satisfies((error) -> assertThat(error.getDefaultMessage()).contains("plain SQL identifier"));
	}

	@Test
	void failsWithHelpWhenAnotherTableWouldBeCreatedFromTheDefaultScript() {
		this.contextRunner.withPropertyValues("forward.lock.backend=jdbc", "forward.lock.jdbc.table-name=APP_LOCKS")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("forward.lock.jdbc.table-name=APP_LOCKS needs a schema script")
				.hasMessageContaining("set forward.lock.jdbc.schema")
				.hasMessageContaining("forward.lock.jdbc.initialize-schema=never"));
	}

	@Test
	void anotherTableNameNeedsNoScriptWhenNothingIsCreated() {
		this.contextRunner
			.withPropertyValues("forward.lock.backend=jdbc", "forward.lock.jdbc.table-name=APP_LOCKS",
					"forward.lock.jdbc.initialize-schema=never")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void initializeSchemaTakesSpringBootsDatabaseInitializationModes() {
		this.contextRunner.withPropertyValues("forward.lock.jdbc.initialize-schema=always")
			.run((context) -> assertThat(
					context.getBean(ForwardLockJdbcInitializationProperties.class).getInitializeSchema())
				.isEqualTo(DatabaseInitializationMode.ALWAYS));
	}

	@Test
	void createsNoTableWhenTheGuardIsDisabled() {
		this.guardedRunner.withPropertyValues("forward.lock.backend=jdbc", "forward.lock.enabled=false")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(ForwardLockJdbcSchemaInitializer.class);
				assertThat(hasLockTable(context.getBean(DataSource.class), "FORWARD_LOCK")).isFalse();
			});
	}

	@Test
	void theLockBackendWaitsForEveryDatabaseInitializer() {
		this.guardedRunner.withUserConfiguration(AppLocksInitializerConfiguration.class)
			.withPropertyValues("forward.lock.backend=jdbc")
			.run((context) -> {
				ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
				assertThat(beanFactory.getBeanDefinition(ForwardLockAutoConfiguration.BACKEND_BEAN_NAME).getDependsOn())
					.contains("forwardLockJdbcSchemaInitializer", "appLocksInitializer");
				// Spring Boot's own detector finds the lock table's initializer, so it is
				// ordered after Flyway and Liquibase like every script-based one
				assertThat(beanFactory.getBeanDefinition("forwardLockJdbcSchemaInitializer")
					.getAttribute(DatabaseInitializerDetector.class.getName()))
					.isEqualTo("org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializerDetector");
			});
	}

	@Test
	void anApplicationsOwnSchemaInitializerReplacesTheAutoConfiguredOne() {
		this.contextRunner
			.withBean("mySchemaInitializer", ForwardLockJdbcSchemaInitializer.class,
					() -> new ForwardLockJdbcSchemaInitializer(new JdbcDataSource(),
							new DatabaseInitializationSettings()))
			.run((context) -> assertThat(context).hasSingleBean(ForwardLockJdbcSchemaInitializer.class)
				.hasBean("mySchemaInitializer"));
	}

	@Test
	void startsWhileTheDatabaseIsDownWhenNoTableIsToBeCreated() {
		// A standby may start during an outage: it waits for the lock, and nothing here
		// may need the database before that
		this.contextRunner.withUserConfiguration(DatabaseDownConfiguration.class)
			.withPropertyValues("forward.lock.backend=jdbc", "forward.lock.jdbc.initialize-schema=never")
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(ForwardLockJdbcSchemaInitializer.class));
	}

	@Test
	void startsWhileTheDatabaseIsDownWhenTheBackendIsNotJdbc() {
		this.contextRunner.withUserConfiguration(DatabaseDownConfiguration.class)
			.withPropertyValues("forward.lock.backend=file")
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(ForwardLockJdbcSchemaInitializer.class));
	}

	@Test
	void leavesTheSchemaAloneWhenInitializationIsNever() {
		this.contextRunner.withPropertyValues("forward.lock.backend=jdbc", "forward.lock.jdbc.initialize-schema=never")
			.run((context) -> {
				JdbcLockBackend backend = createBackend(context);
				assertThat(hasLockTable(context.getBean(DataSource.class), "FORWARD_LOCK")).isFalse();
				assertThatExceptionOfType(LockException.class).isThrownBy(() -> backend.tryAcquire(request()))
					.withMessageContaining("does not exist");
			});
	}

	@Test
	void doesNotInitializeADatabaseOnDiskByDefault(@TempDir Path dir) {
		this.contextRunner.withUserConfiguration(FileDatabaseConfiguration.class)
			.withPropertyValues("forward.lock.backend=jdbc", "test.h2.dir=" + dir)
			.run((context) -> {
				createBackend(context);
				assertThat(hasLockTable(context.getBean(DataSource.class), "FORWARD_LOCK")).isFalse();
			});
	}

	@Test
	void initializesADatabaseOnDiskWhenInitializationIsAlways(@TempDir Path dir) {
		this.contextRunner.withUserConfiguration(FileDatabaseConfiguration.class)
			.withPropertyValues("forward.lock.backend=jdbc", "forward.lock.jdbc.initialize-schema=always",
					"test.h2.dir=" + dir)
			.run((context) -> {
				JdbcLockBackend backend = createBackend(context);
				assertThat(hasLockTable(context.getBean(DataSource.class), "FORWARD_LOCK")).isTrue();
				assertAcquires(backend).release();
			});
	}

	@Test
	void failsWithHelpWhenTheBackendIsJdbcAndThereIsNoDataSource() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(ForwardLockJdbcAutoConfiguration.class, ForwardLockAutoConfiguration.class))
			.withPropertyValues("forward.lock.backend=jdbc")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOfSatisfying(LockException.class, (ex) -> {
					assertThat(ex.getType()).isEqualTo(LockErrorType.BACKEND_UNAVAILABLE);
					assertThat(ex.getMessage()).contains("forward.lock.backend=jdbc needs the application's DataSource")
						.contains("spring-boot-starter-jdbc")
						.contains("spring.datasource.url")
						.contains("forward.lock.backend=file");
				}));
	}

	@Test
	void failsWithHelpWithoutSpringJdbcWhenTheBackendIsJdbc() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(ForwardLockJdbcAutoConfiguration.class, ForwardLockAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.jdbc", "org.springframework.boot.jdbc"))
			.withPropertyValues("forward.lock.backend=jdbc")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(LockException.class)
				.hasMessageContaining("spring-boot-starter-jdbc"));
	}

	@Test
	void usesAUserDataSourceWithoutSpringJdbc() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ForwardLockJdbcAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.jdbc", "org.springframework.boot.jdbc"))
			.withUserConfiguration(InMemoryDatabaseConfiguration.class)
			.withPropertyValues("forward.lock.backend=jdbc", "forward.lock.jdbc.allow-in-memory-database=true")
			.run((context) -> {
				// Without Spring Boot's JDBC support, the table is created as without
				// Spring
				new JdbcLockSchemaInitializer(context.getBean(DataSource.class)).initialize();
				assertAcquires(createBackend(context)).release();
			});
	}

	@Test
	void refusesToLockOnAnInMemoryDatabaseUnlessAllowed() {
		guardedByJdbc(sharedDatabaseUrl()).withPropertyValues("forward.lock.jdbc.allow-in-memory-database=false")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOfSatisfying(LockException.class, (ex) -> {
					assertThat(ex.getType()).isEqualTo(LockErrorType.INVALID_CONFIGURATION);
					assertThat(PropertyWords.message(ex)).contains("in-memory database jdbc:h2:mem:")
						.contains("forward.lock.jdbc.allow-in-memory-database=true")
						.contains("forward.lock.backend=file");
				}));
	}

	@Test
	void backsOffWhenTheApplicationDefinesItsOwnLockBackend(@TempDir Path dir) {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(ForwardLockJdbcAutoConfiguration.class, ForwardLockAutoConfiguration.class))
			.withBean("customLockBackend", LockBackend.class, () -> new FileLockBackend(dir))
			.withPropertyValues("forward.lock.backend=jdbc", "forward.lock.verify-interval=1h")
			.run((context) -> {
				// No DataSource, yet no failure: the JDBC factory is never asked
				assertThat(context).hasNotFailed();
				assertThat(context).hasSingleBean(LockBackend.class).hasBean("customLockBackend");
				assertThat(context).doesNotHaveBean(JdbcLockBackend.class);
			});
	}

	@Test
	void lifecycleHoldsTheLockInTheDatabaseWithAFencingTokenAndHeartbeat() {
		String url = sharedDatabaseUrl();
		guardedByJdbc(url).run((context) -> {
			assertThat(context).hasNotFailed();
			ForwardLockLifecycle lifecycle = context.getBean(ForwardLockLifecycle.class);
			LockStatus status = context.getBean(LockStatusProvider.class).getStatus();
			assertThat(status.state()).isEqualTo(LockState.ACQUIRED);
			assertThat(status.backend()).isEqualTo("jdbc");
			assertThat(status.fencingToken()).isEqualTo(1L);
			assertThat(status.location()).isEqualTo("table FORWARD_LOCK, lock_name 'orders'");
			assertThat(lifecycle.isHeartbeatEnabled()).isTrue();
		});
		// Closing the context released the row: the next instance gets the next token.
		guardedByJdbc(url)
			.run((context) -> assertThat(context.getBean(LockStatusProvider.class).getStatus().fencingToken())
				.isEqualTo(2L));
	}

	@Test
	void secondInstanceOnTheSameDatabaseIsRefusedNamingHostAndPid() {
		String url = sharedDatabaseUrl();
		guardedByJdbc(url).run((first) -> guardedByJdbc(url).run((second) -> {
			assertThat(second).hasFailed();
			assertThat(second).getFailure().rootCause().isInstanceOfSatisfying(LockException.class, (ex) -> {
				assertThat(ex.getType()).isEqualTo(LockErrorType.INSTANCE_RUNNING);
				assertThat(ex.getPid()).isEqualTo(ProcessHandle.current().pid());
				assertThat(ex.getHost()).isEqualTo(HolderRecord.localHostname());
				assertThat(ex.getLocation()).isEqualTo("table FORWARD_LOCK, lock_name 'orders'");
			});
		}));
	}

	@Test
	void acquireEarlyTakesTheLockInTheDatabaseBeforeTheLifecycleStarts() {
		String url = sharedDatabaseUrl();
		guardedByJdbc(url).withPropertyValues("forward.lock.acquire-early=true").run((context) -> {
			assertThat(context).hasNotFailed();
			LockStatus status = context.getBean(LockStatusProvider.class).getStatus();
			assertThat(status.state()).isEqualTo(LockState.ACQUIRED);
			assertThat(status.fencingToken()).isEqualTo(1L);
			guardedByJdbc(url).withPropertyValues("forward.lock.acquire-early=true")
				.run((second) -> assertThat(second).getFailure()
					.satisfies((failure) -> assertThat(lockExceptionIn(failure).getType())
						.isEqualTo(LockErrorType.INSTANCE_RUNNING)));
		});
	}

	@Test
	void acquireEarlyKeepsTheLeaseThroughAStartUpLongerThanTheStaleTimeoutLessTheHeartbeatInterval() {
		String url = sharedDatabaseUrl();
		List<LockLostEvent> lost = new CopyOnWriteArrayList<>();
		guardedByJdbc(url).withUserConfiguration(SlowStartUpConfiguration.class)
			.withBean(LockLostHandler.class, () -> lost::add)
			.withPropertyValues("forward.lock.acquire-early=true", "forward.lock.heartbeat.interval=2s",
					"forward.lock.stale-timeout=4s")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				DataSource dataSource = context.getBean(DataSource.class);
				await().atMost(Duration.ofSeconds(30))
					.failFast("A healthy holder reported its lock lost", () -> !lost.isEmpty())
					.until(() -> renewedAfterItsFirstLeaseWouldHaveRunOut(dataSource, Duration.ofSeconds(4)));
				LockStatus status = context.getBean(LockStatusProvider.class).getStatus();
				assertThat(status.state()).isEqualTo(LockState.ACQUIRED);
				assertThat(status.fencingToken()).isEqualTo(1L);
			});
	}

	@Test
	void startUpThatFailsAfterAcquiringEarlyReleasesTheRowBeforeTheDataSourceIsClosed() {
		String url = sharedDatabaseUrl();
		guardedByJdbc(() -> new PooledH2DataSource(url)).withPropertyValues("forward.lock.acquire-early=true")
			.withBean("failingBean", String.class, () -> {
				throw new IllegalStateException("A singleton fails during start-up");
			})
			.run((context) -> assertThat(context).hasFailed());
		// A supervisor restarts the instance after the failed start: it is not refused as
		// a duplicate of the instance that failed
		guardedByJdbc(() -> new PooledH2DataSource(url)).withPropertyValues("forward.lock.acquire-early=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(LockStatusProvider.class).getStatus().fencingToken()).isEqualTo(2L);
			});
	}

	@Test
	void closedContextsLeaveNoThreadOfTheJdbcBackendBehind() {
		List<String> before = jdbcLockThreads();
		for (int i = 0; i < 10; i++) {
			guardedByJdbc(sharedDatabaseUrl()).run((context) -> {
				assertThat(context).hasNotFailed();
				// Verifying a lease runs the query on a thread of the backend
				try (LockLease lease = assertAcquires(context.getBean(JdbcLockBackend.class))) {
					assertThat(lease.verify().isHeld()).isTrue();
				}
			});
		}
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(jdbcLockThreads()).isSubsetOf(before));
	}

	@Test
	void acquireEarlyWaitsForTheApplicationsDatabaseInitializationToCreateTheTable() {
		guardedByJdbc(sharedDatabaseUrl()).withUserConfiguration(AppLocksInitializerConfiguration.class)
			.withPropertyValues("forward.lock.acquire-early=true", "forward.lock.jdbc.table-name=APP_LOCKS",
					"forward.lock.jdbc.initialize-schema=never")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(LockStatusProvider.class).getStatus().state()).isEqualTo(LockState.ACQUIRED);
			});
	}

	private static List<String> jdbcLockThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter(Thread::isAlive)
			.map(Thread::getName)
			.filter((name) -> name.startsWith("forward-lock-jdbc"))
			.toList();
	}

	private ApplicationContextRunner guardedByJdbc(String url) {
		return guardedByJdbc(() -> h2(url));
	}

	private ApplicationContextRunner guardedByJdbc(Supplier<DataSource> dataSource) {
		return new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(ForwardLockJdbcAutoConfiguration.class, ForwardLockAutoConfiguration.class))
			.withBean(DataSource.class, dataSource)
			.withPropertyValues("forward.lock.backend=jdbc", "forward.lock.jdbc.allow-in-memory-database=true",
					"spring.application.name=orders", "forward.lock.verify-interval=1h",
					"forward.lock.heartbeat.interval=1h", "forward.lock.stale-timeout=2h");
	}

	private static JdbcLockBackend createBackend(AssertableApplicationContext context) {
		return context.getBean(JdbcLockBackendFactory.class).createBackend(request());
	}

	private static boolean hasLockTable(DataSource dataSource, String tableName) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				ResultSet tables = connection.getMetaData().getTables(null, null, tableName, null)) {
			return tables.next();
		}
	}

	/**
	 * Whether the lease on lock 'orders' acquired with the first fencing token was
	 * renewed after the moment its first lease would have run out in the database.
	 */
	private static boolean renewedAfterItsFirstLeaseWouldHaveRunOut(DataSource dataSource, Duration lease)
			throws SQLException {
		try (Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement(
						"SELECT COUNT(*) FROM FORWARD_LOCK " + "WHERE lock_name = 'orders' AND fencing_token = 1 "
								+ "AND renewed_at > DATEADD(MILLISECOND, CAST(? AS BIGINT), acquired_at)")) {
			statement.setLong(1, lease.toMillis());
			try (ResultSet result = statement.executeQuery()) {
				return result.next() && result.getInt(1) == 1;
			}
		}
	}

	private static long millisLeftOnTheLease(DataSource dataSource) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				Statement statement = connection.createStatement();
				ResultSet result = statement
					.executeQuery("SELECT DATEDIFF(MILLISECOND, CURRENT_TIMESTAMP, expires_at) FROM FORWARD_LOCK "
							+ "WHERE lock_name = 'orders'")) {
			return result.next() ? result.getLong(1) : Long.MAX_VALUE;
		}
	}

	private static LockException lockExceptionIn(Throwable failure) {
		for (Throwable candidate = failure; candidate != null; candidate = candidate.getCause()) {
			if (candidate instanceof LockException lockException) {
				return lockException;
			}
		}
		throw new AssertionError("No LockException in " + failure, failure);
	}

	private static String sharedDatabaseUrl() {
		return "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
	}

	private static DataSource h2(String url) {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL(url);
		return dataSource;
	}

	private static LockRequest request() {
		return LockRequest.named("auto-configuration-test")
			.heartbeat(Duration.ofSeconds(5), Duration.ofSeconds(20))
			.build();
	}

	private static LockLease assertAcquires(JdbcLockBackend backend) {
		Optional<LockLease> lease = backend.tryAcquire(request());
		assertThat(lease).isPresent();
		assertThat(lease.get().fencingToken()).isPresent();
		return lease.get();
	}

	/**
	 * The application creates its lock table with Spring Boot's script-based database
	 * initialization, as its migrations (Flyway, Liquibase) would.
	 */
	@Configuration(proxyBeanMethods = false)
	static class AppLocksInitializerConfiguration {

		@Bean
		DataSourceScriptDatabaseInitializer appLocksInitializer(DataSource dataSource) {
			DatabaseInitializationSettings settings = new DatabaseInitializationSettings();
			settings.setSchemaLocations(List.of("classpath:io/forwardlock/autoconfigure/app-locks-h2.sql"));
			settings.setMode(DatabaseInitializationMode.ALWAYS);
			return new DataSourceScriptDatabaseInitializer(dataSource, settings);
		}

	}

	/**
	 * A singleton whose creation lasts until the lease taken early has less than one
	 * heartbeat interval left in the database: a start-up longer than the stale timeout
	 * less the heartbeat interval.
	 */
	@Configuration(proxyBeanMethods = false)
	static class SlowStartUpConfiguration {

		@Bean
		String slowStartUp(DataSource dataSource, ForwardLockProperties properties) {
			long heartbeatMillis = properties.getHeartbeat().getInterval().toMillis();
			await().atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> millisLeftOnTheLease(dataSource) < heartbeatMillis);
			return "started";
		}

	}

	/**
	 * An in-memory H2 database that Spring closes with the context, as it closes a
	 * connection pool: no connection is handed out once closed.
	 */
	static class PooledH2DataSource extends DelegatingDataSource implements AutoCloseable {

		private volatile boolean closed;

		PooledH2DataSource(String url) {
			super(h2(url));
		}

		@Override
		public Connection getConnection() throws SQLException {
			if (this.closed) {
				throw new SQLException("DataSource has been closed");
			}
			return super.getConnection();
		}

		@Override
		public Connection getConnection(String user, String password) throws SQLException {
			if (this.closed) {
				throw new SQLException("DataSource has been closed");
			}
			return super.getConnection(user, password);
		}

		@Override
		public void close() {
			this.closed = true;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class InMemoryDatabaseConfiguration {

		@Bean
		DataSource dataSource() {
			return h2(sharedDatabaseUrl());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DatabaseDownConfiguration {

		@Bean
		DataSource dataSource() {
			// Nothing listens on port 1: every connection is refused
			JdbcDataSource dataSource = new JdbcDataSource();
			dataSource.setURL("jdbc:h2:tcp://127.0.0.1:1/mem:down");
			return dataSource;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FileDatabaseConfiguration {

		@Bean
		DataSource dataSource(org.springframework.core.env.Environment environment) {
			JdbcDataSource dataSource = new JdbcDataSource();
			dataSource.setURL("jdbc:h2:file:" + environment.getProperty("test.h2.dir") + "/db");
			return dataSource;
		}

	}

}
