package io.forwardlock.lock.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * Data source that can be made unreachable, failing every new connection as a network
 * partition would, or hung, blocking every new connection as an exhausted pool or a
 * black-holed network would, or that hands out connections without auto-commit, as many
 * pools are configured next to JPA.
 */
final class SwitchableDataSource implements DataSource {

	private final DataSource delegate;

	private final AtomicBoolean reachable = new AtomicBoolean(true);

	private volatile boolean autoCommit = true;

	private volatile CountDownLatch hung;

	SwitchableDataSource(DataSource delegate) {
		this.delegate = delegate;
	}

	void setReachable(boolean reachable) {
		this.reachable.set(reachable);
	}

	/**
	 * Block every new connection until {@link #resume()}.
	 */
	void hang() {
		this.hung = new CountDownLatch(1);
	}

	void resume() {
		CountDownLatch current = this.hung;
		this.hung = null;
		if (current != null) {
			current.countDown();
		}
	}

	void setAutoCommit(boolean autoCommit) {
		this.autoCommit = autoCommit;
	}

	@Override
	public Connection getConnection() throws SQLException {
		check();
		return prepare(this.delegate.getConnection());
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		check();
		return prepare(this.delegate.getConnection(username, password));
	}

	private Connection prepare(Connection connection) throws SQLException {
		connection.setAutoCommit(this.autoCommit);
		return connection;
	}

	private void check() throws SQLException {
		CountDownLatch current = this.hung;
		if (current != null) {
			try {
				current.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new SQLException("Interrupted while waiting for a connection", ex);
			}
		}
		if (!this.reachable.get()) {
			throw new SQLException("Connection refused (simulated network partition)", "08001");
		}
	}

	@Override
	public PrintWriter getLogWriter() throws SQLException {
		return this.delegate.getLogWriter();
	}

	@Override
	public void setLogWriter(PrintWriter out) throws SQLException {
		this.delegate.setLogWriter(out);
	}

	@Override
	public void setLoginTimeout(int seconds) throws SQLException {
		this.delegate.setLoginTimeout(seconds);
	}

	@Override
	public int getLoginTimeout() throws SQLException {
		return this.delegate.getLoginTimeout();
	}

	@Override
	public Logger getParentLogger() throws SQLFeatureNotSupportedException {
		return this.delegate.getParentLogger();
	}

	@Override
	public <T> T unwrap(Class<T> iface) throws SQLException {
		return this.delegate.unwrap(iface);
	}

	@Override
	public boolean isWrapperFor(Class<?> iface) throws SQLException {
		return this.delegate.isWrapperFor(iface);
	}

}
