package io.forwardlock.benchmarks;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * {@link AbstractJdbcRenewBenchmark} on embedded PostgreSQL.
 */
public class JdbcRenewBenchmark extends AbstractJdbcRenewBenchmark {

	@Setup(Level.Trial)
	public void acquireLocks(PostgresDatabase database) {
		acquireLocks(database.dataSource());
	}

}
