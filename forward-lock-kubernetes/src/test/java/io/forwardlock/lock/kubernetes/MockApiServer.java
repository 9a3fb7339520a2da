package io.forwardlock.lock.kubernetes;

import java.net.InetAddress;
import java.time.Duration;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

/**
 * fabric8's mock API server in CRUD mode on a free loopback port: it stores what it is
 * sent, answers 409 on a duplicate create and on an update with a stale
 * {@code resourceVersion}, as an API server does.
 */
final class MockApiServer implements AutoCloseable {

	static final String NAMESPACE = "test";

	/**
	 * The mock logs every request at INFO: thousands of lines in a race. Kept here so
	 * that the level sticks (java.util.logging holds loggers weakly).
	 */
	private static final Logger MOCK_LOGGER = quiet(Logger.getLogger("io.fabric8.mockwebserver"));

	private final KubernetesMockServer server;

	private MockApiServer(KubernetesMockServer server) {
		this.server = server;
	}

	/**
	 * Start a CRUD mock on a free loopback port.
	 * @return the running server
	 */
	static MockApiServer start() {
		KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
				new WatchClosingOffTheLoop(), false);
		server.init(InetAddress.getLoopbackAddress(), 0);
		return new MockApiServer(server);
	}

	/**
	 * Start a mock that answers only what the test expects.
	 * @return the running server
	 */
	static MockApiServer startExpecting() {
		KubernetesMockServer server = new KubernetesMockServer(false);
		server.init(InetAddress.getLoopbackAddress(), 0);
		return new MockApiServer(server);
	}

	private static Logger quiet(Logger logger) {
		logger.setLevel(Level.WARNING);
		return logger;
	}

	KubernetesMockServer server() {
		return this.server;
	}

	String url() {
		return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + this.server.getPort();
	}

	/**
	 * Configuration for a client of this server, with the timeouts the backend uses for a
	 * lease of the given duration, and nothing read from this machine.
	 * @param lease the lease duration
	 * @return the configuration
	 */
	Config config(Duration lease) {
		return config(url(), lease);
	}

	static Config config(String url, Duration lease) {
		Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url).withNamespace(NAMESPACE).build();
		return KubernetesLeaseClients.forLease(config, lease);
	}

	KubernetesClient newClient(Duration lease) {
		return KubernetesLeaseClients.create(config(lease));
	}

	@Override
	public void close() {
		this.server.destroy();
	}

	/**
	 * The CRUD dispatcher, but the end of a watch is handled off the mock's event loop.
	 * The mock's watch listener, on a watch closed by its client, waits (up to a minute,
	 * on the event loop) for its sender, which may itself wait 30 s for a write on that
	 * same loop: with holders that watch their Lease and close the watch on every
	 * release, the whole mock then stalls and every call times out. A real API server has
	 * no such coupling. The listener leaves the dispatcher's set at once, before its
	 * sender is shut down, so that no write is sent to a closed watch (the mock would
	 * fail that write with a {@link RejectedExecutionException}); one that still is, by a
	 * write that started before, only skips the watches after it.
	 */
	private static final class WatchClosingOffTheLoop extends KubernetesCrudDispatcher {

		private static final ExecutorService CLOSINGS = Executors.newCachedThreadPool((task) -> {
			Thread thread = new Thread(task, "mock-api-server-watch-close");
			thread.setDaemon(true);
			return thread;
		});

		private final Set<?> listeners = listeners(this);

		@Override
		public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
				GenericKubernetesResource resource, String newState) {
			try {
				super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
			}
			catch (RejectedExecutionException ex) {
				// a watch closing: see above
			}
		}

		@Override
		public MockResponse handleWatch(String path) {
			MockResponse response = super.handleWatch(path);
			WebSocketListener listener = response.getWebSocketListener();
			Set<?> listeners = this.listeners;
			return response.withWebSocketUpgrade(new WebSocketListener() {

				@Override
				public void onBeforeAccept(WebSocket webSocket, Response accepted) {
					listener.onBeforeAccept(webSocket, accepted);
				}

				@Override
				public void onOpen(WebSocket webSocket, Response opened) {
					listener.onOpen(webSocket, opened);
				}

				@Override
				public void onMessage(WebSocket webSocket, String text) {
					listener.onMessage(webSocket, text);
				}

				@Override
				public void onMessage(WebSocket webSocket, ByteString bytes) {
					listener.onMessage(webSocket, bytes);
				}

				@Override
				public void onMessage(WebSocket webSocket, byte[] bytes) {
					listener.onMessage(webSocket, bytes);
				}

				@Override
				public void onPing(WebSocket webSocket, byte[] bytes) {
					listener.onPing(webSocket, bytes);
				}

				@Override
				public void onClosing(WebSocket webSocket, int code, String reason) {
					listener.onClosing(webSocket, code, reason);
				}

				@Override
				public void onClosed(WebSocket webSocket, int code, String reason) {
					listeners.remove(listener);
					CLOSINGS.execute(() -> listener.onClosed(webSocket, code, reason));
				}

				@Override
				public void onFailure(WebSocket webSocket, Throwable failure, Response response) {
					listeners.remove(listener);
					CLOSINGS.execute(() -> listener.onFailure(webSocket, failure, response));
				}

			});
		}

		private static Set<?> listeners(KubernetesCrudDispatcher dispatcher) {
			try {
				Field field = KubernetesCrudDispatcher.class.getDeclaredField("watchEventListeners");
				field.setAccessible(true);
				return (Set<?>) field.get(dispatcher);
			}
			catch (ReflectiveOperationException ex) {
				throw new IllegalStateException("The mock's dispatcher changed: no set of watch listeners", ex);
			}
		}

	}

}
