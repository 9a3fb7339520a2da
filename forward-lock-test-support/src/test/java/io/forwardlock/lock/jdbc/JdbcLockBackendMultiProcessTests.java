package io.forwardlock.lock.jdbc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.forwardlock.lock.file.testsupport.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several JVMs race for one lock on one PostgreSQL or MariaDB server over many rounds,
 * and a journal they append to while holding the lock shows that no two of them ever held
 * it at once.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class JdbcLockBackendMultiProcessTests {

	private static final int PROCESSES = 5;

	private static final int ROUNDS = 30;

	private static PostgresTestDatabase database;

	@TempDir
	Path directory;

	@AfterAll
	static void stopDatabase() {
		if (database != null) {
			database.close();
		}
	}

	@ParameterizedTest(name = "on {0}")
	@ValueSource(strings = { "PostgreSQL", "MariaDB" })
	void jvmsRacingForOneLockNeverHoldItAtTheSameTime(String databaseName) throws Exception {
		String url = jdbcUrl(databaseName);
		Path journal = Files.createFile(this.directory.resolve("journal"));
		List<ChildJvm> children = new ArrayList<>();
		try {
			for (int i = 0; i < PROCESSES; i++) {
				children.add(ChildJvm.start(JdbcLockChildProcess.class, "race", url, "race", "30000",
						Integer.toString(ROUNDS), journal.toString()));
			}
			for (ChildJvm child : children) {
				child.await(Duration.ofSeconds(90), "READY");
			}
			for (ChildJvm child : children) {
				child.send("go");
			}
			long attempts = 0;
			for (ChildJvm child : children) {
				attempts += Long.parseLong(child.await(Duration.ofSeconds(150), "DONE").substring(5));
				assertThat(child.waitFor(Duration.ofSeconds(30))).isZero();
			}
			List<String> lines = Files.readAllLines(journal);
			assertThat(lines).hasSize(2 * PROCESSES * ROUNDS);
			Map<String, Integer> acquisitionsPerProcess = new HashMap<>();
			long previousToken = 0;
			for (int i = 0; i < lines.size(); i += 2) {
				String[] enter = lines.get(i).split(" ");
				String[] exit = lines.get(i + 1).split(" ");
				// Any overlap would put another line between a holder's ENTER and EXIT.
				assertThat(enter[0]).as("line %d", i).isEqualTo("ENTER");
				assertThat(exit).as("line %d", i + 1).containsExactly("EXIT", enter[1], enter[2]);
				long token = Long.parseLong(enter[2]);
				assertThat(token).as("fencing token at line %d", i).isGreaterThan(previousToken);
				previousToken = token;
				acquisitionsPerProcess.merge(enter[1], 1, Integer::sum);
			}
			assertThat(acquisitionsPerProcess).hasSize(PROCESSES)
				.allSatisfy((pid, count) -> assertThat(count).isEqualTo(ROUNDS));
			System.out.printf(
					"JDBC multi-process race on %s: %d JVMs x %d rounds = %d acquisitions in %d attempts, "
							+ "0 overlaps, last fencing token %d%n",
					databaseName, PROCESSES, ROUNDS, PROCESSES * ROUNDS, attempts, previousToken);
		}
		finally {
			children.forEach(ChildJvm::close);
		}
	}

	private static synchronized String jdbcUrl(String databaseName) {
		if (databaseName.equals("MariaDB")) {
			return MariaDbTestDatabase.shared().mariaDbUrl();
		}
		if (database == null) {
			database = PostgresTestDatabase.start();
		}
		return database.jdbcUrl();
	}

}
