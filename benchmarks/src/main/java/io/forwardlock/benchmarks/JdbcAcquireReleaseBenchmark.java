package io.forwardlock.benchmarks;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * {@link AbstractJdbcAcquireReleaseBenchmark} on embedded PostgreSQL.
 */
public class JdbcAcquireReleaseBenchmark extends AbstractJdbcAcquireReleaseBenchmark {

	@Setup(Level.Trial)
	public void createLocks(PostgresDatabase database) {
		createLocks(database.dataSource());
	}

}
