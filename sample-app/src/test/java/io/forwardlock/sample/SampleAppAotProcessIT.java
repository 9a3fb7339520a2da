package io.forwardlock.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the AOT-processed executable jar ({@code ./mvnw -Pnative -DskipTests package})
 * with {@code -Dspring.aot.enabled=true}, against a real PostgreSQL that it uses as its
 * data source. The jar is built once, without choosing a backend; each test chooses it
 * when the sample runs, and shows that the choice is honoured: a lock file for
 * {@code file}, a lease row and no lock file for {@code jdbc}. Runs only in the native
 * profile, which builds that jar and sets {@code sample.aot=true}.
 */
@EnabledIfSystemProperty(named = "sample.aot", matches = "true")
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SampleAppAotProcessIT {

	private static final List<String> AOT = List.of("-Dspring.aot.enabled=true");

	private static EmbeddedPostgres postgres;

	@TempDir
	Path dir;

	private Path lockFile;

	private Map<String, String> environment;

	@BeforeAll
	static void startDatabase() throws IOException {
		postgres = EmbeddedPostgres.builder().start();
	}

	@AfterAll
	static void stopDatabase() throws IOException {
		if (postgres != null) {
			postgres.close();
		}
	}

	@BeforeEach
	void prepare() {
		this.lockFile = this.dir.resolve("forward-mcp.lock");
		this.environment = Map.of("FORWARD_LOCK_DIR", this.dir.toString(), "SAMPLE_LEDGER_FILE",
				this.dir.resolve("ledger.txt").toString());
	}

	@Test
	void jarIsAotProcessed() throws IOException {
		try (JarFile jar = new JarFile(SampleAppProcess.jar().toFile())) {
			assertThat(jar.getManifest().getMainAttributes().getValue("Spring-Boot-Native-Processed"))
				.isEqualTo("true");
			assertThat(jar.getEntry(
					"BOOT-INF/classes/io/forwardlock/sample/SampleApplication__ApplicationContextInitializer.class"))
				.isNotNull();
		}
	}

	@Test
	void fileBackendRefusesASecondInstanceWith75AndSigtermReleasesTheLock() throws Exception {
		try (SampleAppProcess first = start().awaitStarted()) {
			assertThat(first.output()).contains("Starting AOT-processed SampleApplication")
				.contains("Acquired lock 'forward-mcp' at " + this.lockFile + " (backend file");
			assertThat(Files.readString(this.lockFile).trim()).isEqualTo(Long.toString(first.pid()));
			try (SampleAppProcess second = start()) {
				assertThat(second.awaitRefusalBy(first)).contains("Lock:   " + this.lockFile);
			}
			first.stop();
			assertThat(first.output()).contains("Released lock 'forward-mcp'");
		}
		assertThat(this.lockFile).doesNotExist();
		// The data source was there all along, but the file backend never used it
		assertThat(leaseRows()).isEmpty();
	}

	@Test
	void fileBackendStandbyTakesOverWhenTheHolderDies() throws Exception {
		try (SampleAppProcess holder = start().awaitStarted();
				SampleAppProcess standby = start("--forward.lock.standby=true")) {
			standby.awaitStandby();
			assertThat(standby.output()).contains("is held by PID " + holder.pid());
			holder.kill();
			standby.awaitStarted();
			assertThat(standby.output()).contains("Starting AOT-processed SampleApplication")
				.contains("Took over lock 'forward-mcp'");
			assertThat(Files.readString(this.lockFile).trim()).isEqualTo(Long.toString(standby.pid()));
		}
	}

	@Test
	void jdbcBackendChosenAtRunTimeHoldsALeaseRowAndNoLockFile() throws Exception {
		String[] jdbc = { "--forward.lock.backend=jdbc", "--forward.lock.stale-timeout=6s",
				"--forward.lock.heartbeat.interval=2s" };
		try (SampleAppProcess first = start(jdbc).awaitStarted()) {
			assertThat(first.output()).contains("Starting AOT-processed SampleApplication")
				.contains(
						"Acquired lock 'forward-mcp' at table FORWARD_LOCK, lock_name 'forward-mcp' (backend jdbc, PID "
								+ first.pid());
			assertThat(leaseRows()).containsExactly(List.of(first.pid(), 1L));
			assertThat(lockFiles()).isEmpty();
			try (SampleAppProcess refused = start(jdbc)) {
				assertThat(refused.awaitRefusalBy(first))
					.contains("Lock:   table FORWARD_LOCK, lock_name 'forward-mcp'")
					.doesNotContain("lock file");
			}
			assertThat(lockFiles()).isEmpty();
			first.stop();
			assertThat(first.output()).contains("Released lock 'forward-mcp'");
		}
		assertThat(leaseRows()).isEmpty();
	}

	@Test
	void disabledAtRunTimeTakesNoLockAndLetsASecondInstanceRun() throws Exception {
		try (SampleAppProcess first = start("--forward.lock.enabled=false").awaitStarted();
				SampleAppProcess second = start("--forward.lock.enabled=false").awaitStarted()) {
			assertThat(first.output()).contains("Starting AOT-processed SampleApplication")
				.doesNotContain("Acquired lock");
			assertThat(second.output()).doesNotContain("Acquired lock");
			assertThat(lockFiles()).isEmpty();
		}
		assertThat(leaseRows()).isEmpty();
	}

	private SampleAppProcess start(String... args) throws IOException {
		List<String> all = new ArrayList<>(
				List.of("--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
						"--spring.datasource.username=postgres", "--spring.datasource.password=unused"));
		all.addAll(List.of(args));
		return SampleAppProcess.start(AOT, this.environment, all.toArray(String[]::new));
	}

	private List<Path> lockFiles() throws IOException {
		try (Stream<Path> files = Files.list(this.dir)) {
			return files.filter((file) -> file.getFileName().toString().endsWith(".lock")).toList();
		}
	}

	/**
	 * PID and fencing token of each live holder of the sample's lock, read straight from
	 * the table; none when the table does not exist.
	 */
	private static List<List<Long>> leaseRows() throws SQLException {
		try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
			try (ResultSet tables = connection.getMetaData().getTables(null, null, "forward_lock", null)) {
				if (!tables.next()) {
					return List.of();
				}
			}
			try (PreparedStatement statement = connection
				.prepareStatement("SELECT pid, fencing_token FROM FORWARD_LOCK "
						+ "WHERE lock_name = 'forward-mcp' AND expires_at > clock_timestamp()");
					ResultSet rs = statement.executeQuery()) {
				List<List<Long>> rows = new ArrayList<>();
				while (rs.next()) {
					rows.add(List.of(rs.getLong(1), rs.getLong(2)));
				}
				return rows;
			}
		}
	}

}
