package io.forwardlock.lock.zookeeper;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongSupplier;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

import org.jspecify.annotations.Nullable;

import io.forwardlock.lock.HolderRecord;
import io.forwardlock.lock.LockBackend;
import io.forwardlock.lock.LockErrorType;
import io.forwardlock.lock.LockException;
import io.forwardlock.lock.LockLease;
import io.forwardlock.lock.LockRequest;

/**
 * {@link LockBackend} that holds a lock as an ephemeral node in a ZooKeeper ensemble,
 * through Apache Curator, so that instances on several hosts exclude each other.
 * <p>
 * <b>How it works.</b> The lock {@code name} is the node {@code <base-path>/<name>}; the
 * node exists exactly while somebody holds the lock. Acquiring creates it as an ephemeral
 * node, which the ensemble itself deletes when the holder's session ends, and stores the
 * holder record (PID, host, application, since) in its data, so that a refused instance
 * and the actuator endpoint can name the holder. The fencing token is the node's
 * {@code czxid}, the id of the transaction that created it: ZooKeeper orders all
 * transactions of the ensemble, so every later holder gets a larger token. Releasing
 * deletes the node, but only after checking that it is still this lease's node (same
 * {@code czxid}, same session), so that a standby takes over at once.
 * <p>
 * <b>Time.</b> There is no wall-clock lease. A holder that crashes or is killed keeps the
 * lock until the ensemble expires its session: at most the negotiated session timeout
 * after the ensemble last heard from it (rounded up to the server's tick). A holder can
 * therefore lose the lock without being told, when it is paused or cut off for longer
 * than that. Its lease keeps a local deadline on the monotonic clock: the session
 * timeout, less a safety margin (a fifth, at most one second), after the moment just
 * before the latest answered request that the leader has surely counted for the session
 * was sent (a small probe runs every sixteenth of the session timeout to keep that moment
 * recent; {@link LeaderCountedRequests} tells which requests count). The margin makes the
 * holder give up before the ensemble can expire the session even when its timer fires
 * late or its clock runs a little slower than the servers'. Once the deadline passes
 * without a new answer, the lease counts as lost, even if the client has not noticed a
 * disconnection yet, as after a long garbage collection pause or {@code SIGSTOP}.
 * Curator's {@code SUSPENDED} state ("maybe lost") is therefore ridden out until the
 * deadline; {@code RECONNECTED} in time with the node still this lease's keeps the lock;
 * {@code LOST} loses it at once.
 * <p>
 * <b>Standby.</b> {@link #acquireBlocking(LockRequest, Duration)} sets a watch on the
 * node and sleeps until the node changes or the connection state does; it does not poll.
 * Ensemble outages while waiting are ridden out: the wait resumes when the client
 * reconnects.
 * <p>
 * <b>Client.</b> The backend either uses an application's {@link CuratorFramework} (which
 * the application starts and closes, and whose namespace, ACL provider and authentication
 * apply), or owns one that {@link #connect(String, String, Duration, Duration)} builds
 * and {@link #close()} closes.
 */
public class ZookeeperLockBackend implements LockBackend, AutoCloseable {

	/**
	 * Id of this backend.
	 */
	public static final String ID = "zookeeper";

	/**
	 * Default parent node of the lock nodes.
	 */
	public static final String DEFAULT_BASE_PATH = "/forward-lock";

	private final CuratorFramework client;

	private final String basePath;

	private final Duration connectionTimeout;

	private final boolean ownsClient;

	private final ZookeeperNodeCleaner cleaner;

	private final ZookeeperStandby standby;

	private final ZookeeperSessions sessions;

	private final LongSupplier nanoTime;

	/**
	 * Create a backend on an application's client, with lock nodes under
	 * {@link #DEFAULT_BASE_PATH}.
	 * @param client the client; started by the backend if it is not started yet, and
	 * never closed by it
	 */
	public ZookeeperLockBackend(CuratorFramework client) {
		this(client, DEFAULT_BASE_PATH);
	}

	/**
	 * Create a backend on an application's client.
	 * @param client the client; started by the backend if it is not started yet, and
	 * never closed by it
	 * @param basePath parent node of the lock nodes, such as {@code /forward-lock}
	 * @throws IllegalArgumentException when the base path is not a valid ZooKeeper path
	 */
	public ZookeeperLockBackend(CuratorFramework client, String basePath) {
		this(client, basePath, null, false);
	}

	/**
	 * Create a backend.
	 * @param client the client
	 * @param basePath parent node of the lock nodes
	 * @param connectionTimeout how long to wait for a connection before reporting the
	 * ensemble unreachable, or {@code null} for the client's connection timeout
	 * @param ownsClient whether {@link #close()} closes the client
	 */
	protected ZookeeperLockBackend(CuratorFramework client, String basePath, @Nullable Duration connectionTimeout,
			boolean ownsClient) {
		this(client, basePath, connectionTimeout, ownsClient, System::nanoTime);
	}

	ZookeeperLockBackend(CuratorFramework client, String basePath, @Nullable Duration connectionTimeout,
			boolean ownsClient, LongSupplier nanoTime) {
		this.nanoTime = Objects.requireNonNull(nanoTime, "'nanoTime' must not be null");
		this.client = Objects.requireNonNull(client, "'client' must not be null");
		this.basePath = validateBasePath(basePath);
		this.connectionTimeout = (connectionTimeout != null) ? connectionTimeout
				: Duration.ofMillis(client.getZookeeperClient().getConnectionTimeoutMs());
		this.ownsClient = ownsClient;
		this.cleaner = new ZookeeperNodeCleaner(client);
		this.sessions = new ZookeeperSessions(this.nanoTime);
		this.standby = new ZookeeperStandby(this);
	}

	/**
	 * Create a backend with a client of its own, which {@link #close()} closes. The
	 * client connects on first use.
	 * @param connectString the ensemble, such as {@code zk1:2181,zk2:2181,zk3:2181}
	 * @param basePath parent node of the lock nodes
	 * @param sessionTimeout session timeout to ask the ensemble for; it may grant a
	 * shorter or longer one within its own bounds
	 * @param connectionTimeout how long to wait for a connection
	 * @return the backend
	 * @throws IllegalArgumentException when a setting is invalid
	 */
	public static ZookeeperLockBackend connect(String connectString, String basePath, Duration sessionTimeout,
			Duration connectionTimeout) {
		CuratorFramework client = newClient(connectString, sessionTimeout, connectionTimeout);
		return new ZookeeperLockBackend(client, basePath, connectionTimeout, true);
	}

	/**
	 * Build (without starting) a client with the settings this backend expects: the given
	 * timeouts and a short exponential back-off between retries.
	 * @param connectString the ensemble
	 * @param sessionTimeout session timeout to ask for
	 * @param connectionTimeout how long to wait for a connection
	 * @return the client
	 * @throws IllegalArgumentException when a setting is invalid
	 */
	public static CuratorFramework newClient(String connectString, Duration sessionTimeout,
			Duration connectionTimeout) {
		return ZookeeperClients.newClient(connectString, sessionTimeout, connectionTimeout);
	}

	/**
	 * Check that a base path is an absolute ZooKeeper path without a trailing slash.
	 * @param basePath the base path
	 * @return the base path
	 * @throws IllegalArgumentException when it is not
	 */
	public static String validateBasePath(String basePath) {
		return ZookeeperClients.validateBasePath(basePath);
	}

	@Override
	public String id() {
		return ID;
	}

	/**
	 * Client this backend uses.
	 * @return the client
	 */
	public CuratorFramework getClient() {
		return this.client;
	}

	/**
	 * Parent node of the lock nodes.
	 * @return the base path
	 */
	public String getBasePath() {
		return this.basePath;
	}

	/**
	 * Path of a lock's node, relative to the client's namespace.
	 * @param request the lock
	 * @return the node path
	 */
	public String nodePath(LockRequest request) {
		return this.basePath + "/" + request.name();
	}

	@Override
	public Optional<LockLease> tryAcquire(LockRequest request) {
		Objects.requireNonNull(request, "'request' must not be null");
		String path = nodePath(request);
		ZookeeperClients.awaitConnection(this, this.connectionTimeout, request);
		HolderRecord self = request.newHolderRecord();
		HolderData data = new HolderData(self, UUID.randomUUID().toString());
		// Taken before the request is sent: the ensemble can only start timing the
		// session later, so the local deadline always comes first.
		long sentAt = this.nanoTime.getAsLong();
		Stat stat = new Stat();
		try {
			this.client.create()
				.storingStatIn(stat)
				.creatingParentContainersIfNeeded()
				.withMode(CreateMode.EPHEMERAL)
				.forPath(path, data.encode());
		}
		catch (KeeperException.NodeExistsException ex) {
			// Held, unless the node is our own: a create that Curator retried after a
			// lost answer finds the node its first try made.
			return adoptOwnNode(request, path, data, sentAt);
		}
		catch (Exception ex) {
			// The create may have happened without us hearing of it; such a node would
			// block everyone for as long as this process keeps its session.
			this.cleaner.deleteUnanswered(path, data.attemptId());
			throw unavailable(request, "create the lock node", ex);
		}
		return Optional.of(newLease(request, path, stat, self, sentAt));
	}

	private Optional<LockLease> adoptOwnNode(LockRequest request, String path, HolderData data, long sentAt) {
		Stat stat = new Stat();
		byte[] existing;
		try {
			existing = this.client.getData().storingStatIn(stat).forPath(path);
		}
		catch (KeeperException.NoNodeException ex) {
			// Released since; the caller tries again when it wants to.
			return Optional.empty();
		}
		catch (Exception ex) {
			throw unavailable(request, "read the lock node", ex);
		}
		if (!data.attemptId().equals(HolderData.decode(existing).attemptId())) {
			return Optional.empty();
		}
		return Optional.of(newLease(request, path, stat, data.record(), sentAt));
	}

	private LockLease newLease(LockRequest request, String path, Stat stat, HolderRecord self, long sentAt) {
		return ZookeeperLeaseStart.start(this, request, path, stat, self, sentAt);
	}

	/**
	 * Wait for the lock node to change instead of polling: a watch on the node, and a
	 * listener on the connection state, wake the waiter. Outages of the ensemble are
	 * ridden out; only an interrupt or a failure other than an unreachable ensemble ends
	 * the wait.
	 * @param request what to lock
	 * @param pollInterval pause before trying again after the ensemble failed to answer
	 * @return the lease
	 * @throws InterruptedException when interrupted
	 */
	@Override
	public LockLease acquireBlocking(LockRequest request, Duration pollInterval) throws InterruptedException {
		return this.standby.acquire(request, pollInterval);
	}

	@Override
	public Optional<HolderRecord> inspect(LockRequest request) {
		Objects.requireNonNull(request, "'request' must not be null");
		ZookeeperClients.awaitConnection(this, this.connectionTimeout, request);
		try {
			Stat stat = new Stat();
			byte[] data = this.client.getData().storingStatIn(stat).forPath(nodePath(request));
			return Optional.of(HolderData.decode(data).record());
		}
		catch (KeeperException.NoNodeException ex) {
			return Optional.empty();
		}
		catch (Exception ex) {
			throw unavailable(request, "read the lock node", ex);
		}
	}

	/**
	 * Refusal whose help explains that a crashed holder keeps the lock until the ensemble
	 * expires its session.
	 */
	@Override
	public LockException instanceRunning(@Nullable HolderRecord holder, LockRequest request) {
		return new LockException(LockErrorType.INSTANCE_RUNNING, "Another instance is already running", holder,
				describeLocation(request), instanceRunningHelp(holder, grantedSessionTimeout()), null);
	}

	/**
	 * Help of {@link #instanceRunning(HolderRecord, LockRequest)}; override to add the
	 * settings of a particular configuration model.
	 * @param holder the holder, possibly {@link HolderRecord#unknown()}
	 * @param sessionTimeout session timeout the ensemble granted this client, or
	 * {@code null} when not known
	 * @return the help lines
	 */
	protected List<String> instanceRunningHelp(@Nullable HolderRecord holder, @Nullable Duration sessionTimeout) {
		return ZookeeperErrors.instanceRunningHelp(holder, sessionTimeout);
	}

	/**
	 * Session timeout the ensemble granted this client's current session.
	 * @return the timeout, or {@code null} before the first connection
	 */
	protected @Nullable Duration grantedSessionTimeout() {
		int millis = this.client.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
		return (millis > 0) ? Duration.ofMillis(millis) : null;
	}

	@Override
	public String describeLocation(LockRequest request) {
		String namespace = this.client.getNamespace();
		String prefix = (namespace != null && !namespace.isEmpty()) ? "/" + namespace : "";
		return "ZooKeeper " + connectString() + ", node " + prefix + nodePath(request);
	}

	/**
	 * Ensemble the client connects to, as far as it tells.
	 * @return the connect string
	 */
	public String connectString() {
		return ZookeeperClients.connectString(this.client);
	}

	/**
	 * Close the client if this backend created it. Leases still held end with the
	 * session, which deletes their nodes.
	 */
	@Override
	public void close() {
		this.cleaner.close();
		if (this.ownsClient) {
			this.client.close();
		}
	}

	@Override
	public String toString() {
		return "ZookeeperLockBackend[" + connectString() + ", basePath=" + this.basePath + "]";
	}

	/**
	 * Exception for an ensemble that could not be reached in time. Override to word the
	 * help for a particular configuration model; the facts are the arguments.
	 * @param connectString the ensemble
	 * @param connectionTimeout how long the backend waited
	 * @param location the lock location
	 * @param cause the underlying failure, may be {@code null}
	 * @return the exception, of type {@link LockErrorType#BACKEND_UNAVAILABLE}
	 */
	protected LockException ensembleUnreachable(String connectString, Duration connectionTimeout, String location,
			@Nullable Throwable cause) {
		return ZookeeperErrors.ensembleUnreachable(connectString, connectionTimeout, location, cause);
	}

	LockException unavailable(LockRequest request, String what, Throwable cause) {
		return ZookeeperErrors.unavailable(connectString(), describeLocation(request), what, cause);
	}

	ZookeeperNodeCleaner cleaner() {
		return this.cleaner;
	}

	ZookeeperSessions sessions() {
		return this.sessions;
	}

	/**
	 * Monotonic clock of the leases' deadlines, in nanoseconds.
	 * @return the time
	 */
	long nanoTime() {
		return this.nanoTime.getAsLong();
	}

}
