package io.forwardlock.sample;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A standby on a database without the lock table (schema initialization off) ends with a
 * report that names the table and how to create it, instead of waiting for a table that
 * no retry can bring.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SampleAppJdbcMissingTableProcessIT {

	@Test
	void standbyWithoutTheLockTableEndsWithAReportNamingTheTable() throws Exception {
		try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
				SampleAppProcess standby = SampleAppProcess.start(Map.of(), "--forward.lock.backend=jdbc",
						"--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
						"--spring.datasource.username=postgres", "--spring.datasource.password=",
						"--forward.lock.jdbc.initialize-schema=never", "--forward.lock.standby=true",
						"--forward.lock.retry-delay=200ms")) {
			int status = standby.awaitExit();
			assertThat(status).as(standby.output()).isNotZero();
			assertThat(standby.output()).contains("FORWARD_LOCK does not exist")
				.contains("forward.lock.jdbc.initialize-schema")
				.doesNotContain("retrying in");
		}
	}

}
