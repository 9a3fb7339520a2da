package io.forwardlock.lock.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;

/**
 * A pool of one H2 connection for tests of a misbehaving database: the connection is
 * handed out with auto-commit on at REPEATABLE READ, closing gives it back without
 * closing it, its rollback can be made to fail, and chosen calls (on the connection or
 * its statements) can be made to hang until {@link #answer()}, or until the network
 * timeout set on the connection passes.
 */
final class OneConnectionPool implements AutoCloseable {

	static final String ROLLBACK_FAILED = "Rollback failed (test)";

	/**
	 * How long a hung call waits at most, so that a test cannot hang for ever.
	 */
	private static final long HANG_LIMIT_SECONDS = 20;

	final Connection connection;

	final AtomicBoolean failRollback = new AtomicBoolean();

	/**
	 * Names of the methods that hang, such as {@code executeUpdate} or {@code commit}.
	 */
	final Set<String> hang = ConcurrentHashMap.newKeySet();

	/**
	 * Calls hanging now, and the most that ever hung at once.
	 */
	final AtomicInteger hanging = new AtomicInteger();

	final AtomicInteger mostHangingAtOnce = new AtomicInteger();

	private final CountDownLatch answer = new CountDownLatch(1);

	private final List<JdbcLockBackend> backends = new CopyOnWriteArrayList<>();

	/**
	 * The network timeout set on the connection, which a hung call honours as a driver
	 * does (H2 in memory has no network, and ignores it).
	 */
	private volatile int networkTimeoutMillis;

	final DataSource dataSource = proxy(DataSource.class, (method) -> switch (method.getName()) {
		case "getConnection" -> pooledConnection();
		case "toString" -> "OneConnectionPool";
		default -> throw new UnsupportedOperationException(method.getName());
	});

	OneConnectionPool() {
		JdbcDataSource h2 = new JdbcDataSource();
		h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		try {
			this.connection = h2.getConnection();
			this.connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
		new JdbcLockSchemaInitializer(this.dataSource).initialize();
	}

	/**
	 * A backend on this pool.
	 * @return the backend, allowed to use the in-memory database, closed with this pool
	 */
	JdbcLockBackend backend() {
		JdbcLockBackend backend = new JdbcLockBackend(this.dataSource);
		backend.setAllowInMemoryDatabase(true);
		this.backends.add(backend);
		return backend;
	}

	/**
	 * Let every hung call, and every later one, go on.
	 */
	void answer() {
		this.hang.clear();
		this.answer.countDown();
	}

	@Override
	public void close() throws SQLException {
		answer();
		this.backends.forEach(JdbcLockBackend::close);
		try (Statement statement = this.connection.createStatement()) {
			statement.execute("SHUTDOWN");
		}
	}

	private Connection pooledConnection() {
		return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
				(proxy, method, args) -> {
					switch (method.getName()) {
						case "close":
							return null;
						case "isClosed":
							return false;
						case "getNetworkTimeout":
							return this.networkTimeoutMillis;
						case "setNetworkTimeout":
							this.networkTimeoutMillis = (int) args[1];
							return null;
						case "rollback":
							if (this.failRollback.get()) {
								throw new SQLException(ROLLBACK_FAILED, "08006");
							}
							break;
						default:
							break;
					}
					Object result = call(this.connection, method, args);
					return (result instanceof PreparedStatement statement) ? hanging(statement) : result;
				});
	}

	private PreparedStatement hanging(PreparedStatement statement) {
		return (PreparedStatement) Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { PreparedStatement.class }, (proxy, method, args) -> call(statement, method, args));
	}

	private Object call(Object target, Method method, Object[] args) throws Throwable {
		if (this.hang.contains(method.getName())) {
			this.mostHangingAtOnce.accumulateAndGet(this.hanging.incrementAndGet(), Math::max);
			try {
				int networkTimeout = this.networkTimeoutMillis;
				if (networkTimeout > 0 && !this.answer.await(networkTimeout, TimeUnit.MILLISECONDS)) {
					throw new SQLRecoverableException("Read timed out after " + networkTimeout + " ms (test)", "08S01");
				}
				if (!this.answer.await(HANG_LIMIT_SECONDS, TimeUnit.SECONDS)) {
					throw new SQLException("Hung for " + HANG_LIMIT_SECONDS + " s (test)");
				}
			}
			finally {
				this.hanging.decrementAndGet();
			}
		}
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

	private static <T> T proxy(Class<T> type, Function<Method, Object> answer) {
		return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type },
				(proxy, method, args) -> answer.apply(method)));
	}

}
