package io.forwardlock.autoconfigure;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationAotProcessor;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.aot.AbstractAotProcessor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring AOT processing of an application guarded by forward-lock, as
 * {@code spring-boot:process-aot} runs it: it must have no side effects (no lock, no
 * directory, no database call), and the code it generates must hold the whole guard
 * whatever the properties were at build time, since they are decided when the application
 * runs.
 */
@Timeout(120)
class ForwardLockAotProcessingTests {

	static final AtomicInteger connections = new AtomicInteger();

	@TempDir
	Path dir;

	private Path lockDir;

	@BeforeEach
	void prepare() {
		connections.set(0);
		this.lockDir = this.dir.resolve("locks");
	}

	@Test
	void processingTakesNoLockCreatesNoDirectoryAndCallsNoDatabase() throws IOException {
		process("--forward.lock.backend=jdbc", "--forward.lock.standby=true");
		assertThat(this.lockDir).doesNotExist();
		assertThat(connections).hasValue(0);
		process("--forward.lock.backend=file");
		assertThat(this.lockDir).doesNotExist();
		assertThat(System.getProperty(AbstractAotProcessor.AOT_PROCESSING)).isNull();
	}

	@Test
	void generatedCodeHoldsTheWholeGuardWhateverTheBuildTimeProperties() throws IOException {
		String generated = process("--forward.lock.enabled=false", "--forward.lock.backend=kubernetes");
		assertThat(generated).contains("forwardLockLifecycle")
			.contains("forwardLockBackend")
			.contains("forwardLockFileBackendFactory")
			.contains("forwardLockJdbcBackendFactory")
			.contains("forwardLockDisabledPostProcessor")
			.contains("forwardLockEarlyAcquisition");
		assertThat(this.lockDir).doesNotExist();
	}

	/**
	 * Before the early acquisition stood back while AOT processing runs, this test
	 * failed: AOT processing created the lock directory and took the lock.
	 */
	@Test
	void processingWithAcquireEarlyLeavesNoLockAndNoDirectory() throws IOException {
		process("--forward.lock.acquire-early=true");
		assertThat(this.lockDir).doesNotExist();
		process("--forward.lock.acquire-early=true", "--forward.lock.backend=jdbc");
		assertThat(this.lockDir).doesNotExist();
		assertThat(connections).hasValue(0);
	}

	private String process(String... args) throws IOException {
		Path output = Files.createTempDirectory(this.dir, "aot");
		AbstractAotProcessor.Settings settings = AbstractAotProcessor.Settings.builder()
			.sourceOutput(output.resolve("sources"))
			.resourceOutput(output.resolve("resources"))
			.classOutput(output.resolve("classes"))
			.groupId("io.forwardlock")
			.artifactId("aot-test")
			.build();
		String[] all = Stream.concat(Stream.of("--spring.main.web-application-type=none",
				"--spring.application.name=orders", "--forward.lock.dir=" + this.lockDir), Stream.of(args))
			.toArray(String[]::new);
		new SpringApplicationAotProcessor(TestApplication.class, settings, all).process();
		try (Stream<Path> files = Files.walk(output.resolve("sources"))) {
			return files.filter((file) -> file.toString().endsWith(".java")).map((file) -> {
				try {
					return Files.readString(file);
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			}).collect(Collectors.joining("\n"));
		}
	}

	/**
	 * Application guarded by forward-lock, with a data source that counts connections.
	 */
	@SpringBootConfiguration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ ForwardLockJdbcAutoConfiguration.class, ForwardLockAutoConfiguration.class })
	public static class TestApplication {

		@Bean
		DataSource dataSource() {
			return new CountingDataSource();
		}

		public static void main(String[] args) {
			SpringApplication.run(TestApplication.class, args);
		}

	}

	static class CountingDataSource implements DataSource {

		@Override
		public Connection getConnection() throws SQLException {
			connections.incrementAndGet();
			throw new SQLException("No database while AOT processing runs");
		}

		@Override
		public Connection getConnection(String username, String password) throws SQLException {
			return getConnection();
		}

		@Override
		public PrintWriter getLogWriter() {
			return null;
		}

		@Override
		public void setLogWriter(PrintWriter out) {
		}

		@Override
		public void setLoginTimeout(int seconds) {
		}

		@Override
		public int getLoginTimeout() {
			return 0;
		}

		@Override
		public Logger getParentLogger() {
			return Logger.getGlobal();
		}

		@Override
		public <T> T unwrap(Class<T> iface) throws SQLException {
			throw new SQLException("Not a wrapper");
		}

		@Override
		public boolean isWrapperFor(Class<?> iface) {
			return false;
		}

	}

}
