package io.forwardlock.lock.jdbc;

import java.util.function.Function;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.file.testsupport.ChildJvm;

/**
 * {@link JdbcLockBackendContractTests} against a real MariaDB server, once through each
 * driver: MariaDB Connector/J, which reports "MariaDB", and MySQL Connector/J, which
 * reports "MySQL" as an application written for MySQL connects. Both meet the one dialect
 * and schema script of the MySQL family. No MySQL server runs here; MySQL 8 itself is
 * untested. The external holder is a child JVM that renews its lease until it is killed
 * with SIGKILL.
 */
@ParameterizedClass
@EnumSource
class JdbcLockBackendMariaDbContractTests extends JdbcLockBackendContractTests {

	private static MariaDbTestDatabase database;

	private final Driver driver;

	JdbcLockBackendMariaDbContractTests(Driver driver) {
		this.driver = driver;
	}

	@BeforeAll
	static void startDatabase() {
		database = MariaDbTestDatabase.shared();
	}

	@Override
	protected DataSource dataSource() {
		return this.driver.dataSource.apply(database);
	}

	@Override
	protected ExternalHolder startExternalHolder(LockRequest request) throws Exception {
		return ExternalHolder.acquiredBy(ChildJvm.start(JdbcLockChildProcess.class, "hold",
				this.driver.url.apply(database), request.name(), Long.toString(SHORT_LEASE.toMillis())));
	}

	@Override
	protected String now() {
		return "UTC_TIMESTAMP(6)";
	}

	@Override
	protected String interval(long millis) {
		return "INTERVAL " + (millis * 1000) + " MICROSECOND";
	}

	/**
	 * The driver an application connects with.
	 */
	enum Driver {

		/**
		 * MariaDB Connector/J ({@code jdbc:mariadb:}).
		 */
		MARIADB(MariaDbTestDatabase::dataSource, MariaDbTestDatabase::mariaDbUrl),

		/**
		 * MySQL Connector/J ({@code jdbc:mysql:}).
		 */
		MYSQL(MariaDbTestDatabase::mysqlDataSource, MariaDbTestDatabase::mysqlUrl);

		private final Function<MariaDbTestDatabase, DataSource> dataSource;

		private final Function<MariaDbTestDatabase, String> url;

		Driver(Function<MariaDbTestDatabase, DataSource> dataSource, Function<MariaDbTestDatabase, String> url) {
			this.dataSource = dataSource;
			this.url = url;
		}

	}

}
