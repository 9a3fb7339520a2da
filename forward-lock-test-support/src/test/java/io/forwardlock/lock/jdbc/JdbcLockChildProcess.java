package io.forwardlock.lock.jdbc;

import java.nio.file.Path;
import java.time.Duration;

import javax.sql.DataSource;

import com.mysql.cj.jdbc.MysqlDataSource;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

import io.forwardlock.lock.LockRequest;
import io.forwardlock.lock.testsupport.BackendChildProcess;
import io.forwardlock.lock.testsupport.OverlapJournal;

/**
 * Child JVM that uses {@link JdbcLockBackend} against a PostgreSQL, MariaDB or MySQL
 * server, chosen by the JDBC URL (which carries the user for the last two). Two modes,
 * those of {@link BackendChildProcess}:
 * <ul>
 * <li>{@code hold <url> <name> <leaseMillis>}</li>
 * <li>{@code race <url> <name> <leaseMillis> <rounds> <journal>}</li>
 * </ul>
 */
public final class JdbcLockChildProcess {

	private JdbcLockChildProcess() {
	}

	public static void main(String[] args) throws Exception {
		JdbcLockBackend backend = new JdbcLockBackend(dataSource(args[1]));
		LockRequest request = BackendChildProcess.request(args[2], Duration.ofMillis(Long.parseLong(args[3])));
		if (args[0].equals("race")) {
			BackendChildProcess.race(backend, request, Integer.parseInt(args[4]), new OverlapJournal(Path.of(args[5])),
					Duration.ofNanos(200_000));
		}
		else {
			BackendChildProcess.hold(backend, request);
		}
	}

	private static DataSource dataSource(String url) throws Exception {
		if (url.startsWith("jdbc:mariadb:")) {
			return new MariaDbDataSource(url);
		}
		if (url.startsWith("jdbc:mysql:")) {
			MysqlDataSource dataSource = new MysqlDataSource();
			dataSource.setUrl(url);
			return dataSource;
		}
		PGSimpleDataSource dataSource = new PGSimpleDataSource();
		dataSource.setUrl(url);
		dataSource.setUser("postgres");
		return dataSource;
	}

}
