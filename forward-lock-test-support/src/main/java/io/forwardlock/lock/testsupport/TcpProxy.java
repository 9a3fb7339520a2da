package io.forwardlock.lock.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on a loopback port for tests that cut one client off from a server while
 * others still reach it: the network between a lock holder and its database dies, the
 * standby's does not.
 * <p>
 * {@link #blackHole()} stops forwarding in both directions without closing anything:
 * bytes already read wait in the proxy, new bytes wait unread in the kernel's buffers
 * until the sender's window closes, and new connections are accepted but not connected
 * on. The client sees what a dead network or a frozen server shows: writes that go
 * nowhere and reads that never return, with no reset and no end of stream. Only the
 * client's own timeouts (driver socket timeout, pool connection timeout) end its wait.
 * {@link #restore()} lets everything that waited through, as a healed network does.
 * <p>
 * Blocking sockets, two threads per connection: simple enough to trust in a test.
 */
public final class TcpProxy implements AutoCloseable {

	private static final int BUFFER_SIZE = 8192;

	private final ServerSocket server;

	private final InetSocketAddress target;

	private final Object monitor = new Object();

	private final List<Socket> sockets = new ArrayList<>();

	private boolean blackHoled;

	private boolean closed;

	private final AtomicLong forwardedUp = new AtomicLong();

	private TcpProxy(ServerSocket server, InetSocketAddress target) {
		this.server = server;
		this.target = target;
	}

	/**
	 * Start a proxy on a free loopback port that forwards to the given server.
	 * @param host the server's host
	 * @param port the server's port
	 * @return the running proxy; {@link #close()} it
	 * @throws IOException if no port can be opened
	 */
	public static TcpProxy start(String host, int port) throws IOException {
		ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		TcpProxy proxy = new TcpProxy(server, new InetSocketAddress(host, port));
		Thread acceptor = new Thread(proxy::accept, "tcp-proxy-" + server.getLocalPort());
		acceptor.setDaemon(true);
		acceptor.start();
		return proxy;
	}

	/**
	 * Return the loopback port that clients connect to instead of the server's.
	 * @return the port
	 */
	public int port() {
		return this.server.getLocalPort();
	}

	/**
	 * Stop forwarding, in both directions and on every connection, open or new, without
	 * closing any.
	 */
	public void blackHole() {
		synchronized (this.monitor) {
			this.blackHoled = true;
		}
	}

	/**
	 * Forward again, including what waited while the proxy was black-holed.
	 */
	public void restore() {
		synchronized (this.monitor) {
			this.blackHoled = false;
			this.monitor.notifyAll();
		}
	}

	/**
	 * How many times so far the proxy has forwarded bytes from a client to the server. A
	 * test can watch it change to act right after a message, such as the answer of a peer
	 * that otherwise only answers pings, and well before the next.
	 * @return the count
	 */
	public long forwardedToServer() {
		return this.forwardedUp.get();
	}

	/**
	 * Whether the proxy is black-holed.
	 * @return whether it is
	 */
	public boolean isBlackHoled() {
		synchronized (this.monitor) {
			return this.blackHoled;
		}
	}

	/**
	 * Stop listening and close every connection.
	 */
	@Override
	public void close() {
		List<Socket> open;
		synchronized (this.monitor) {
			if (this.closed) {
				return;
			}
			this.closed = true;
			this.monitor.notifyAll();
			open = new ArrayList<>(this.sockets);
			this.sockets.clear();
		}
		closeQuietly(this.server);
		open.forEach(TcpProxy::closeQuietly);
	}

	private void accept() {
		while (!this.server.isClosed()) {
			Socket client;
			try {
				client = this.server.accept();
			}
			catch (IOException ex) {
				// closed: the proxy is shutting down
				return;
			}
			Thread connector = new Thread(() -> connect(client), "tcp-proxy-" + port() + "-connect");
			connector.setDaemon(true);
			connector.start();
		}
	}

	private void connect(Socket client) {
		Socket upstream = null;
		try {
			if (!track(client) || !awaitForwarding()) {
				return;
			}
			upstream = new Socket();
			if (!track(upstream)) {
				return;
			}
			upstream.connect(this.target);
			pump(client, upstream, true);
			pump(upstream, client, false);
		}
		catch (IOException ex) {
			// the server refused or went away: the client sees its connection close
			closeQuietly(client);
			closeQuietly(upstream);
		}
	}

	private boolean track(Socket socket) {
		synchronized (this.monitor) {
			if (this.closed) {
				closeQuietly(socket);
				return false;
			}
			this.sockets.add(socket);
			return true;
		}
	}

	private void pump(Socket from, Socket to, boolean toServer) {
		Thread thread = new Thread(() -> {
			try (from; to) {
				forward(from.getInputStream(), to.getOutputStream(), toServer);
			}
			catch (IOException ex) {
				// one side closed or reset: closing both passes that on
			}
		}, "tcp-proxy-" + port() + "-" + (toServer ? "up" : "down"));
		thread.setDaemon(true);
		thread.start();
	}

	/**
	 * Copy until the end of the stream or until the proxy is closed. The wait before each
	 * read leaves new bytes unread in the kernel while black-holed; the wait before each
	 * write holds back bytes that were read as the black hole began.
	 */
	private void forward(InputStream in, OutputStream out, boolean toServer) throws IOException {
		byte[] buffer = new byte[BUFFER_SIZE];
		int read;
		while (awaitForwarding() && (read = in.read(buffer)) >= 0 && awaitForwarding()) {
			out.write(buffer, 0, read);
			if (toServer) {
				this.forwardedUp.incrementAndGet();
			}
		}
	}

	/**
	 * Wait while the proxy is black-holed.
	 * @return {@code false} once the proxy is closed
	 */
	private boolean awaitForwarding() {
		synchronized (this.monitor) {
			while (this.blackHoled && !this.closed) {
				try {
					this.monitor.wait();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return false;
				}
			}
			return !this.closed;
		}
	}

	private static void closeQuietly(AutoCloseable closeable) {
		if (closeable == null) {
			return;
		}
		try {
			closeable.close();
		}
		catch (Exception ex) {
			// closing on the way out: nothing more to do
		}
	}

	@Override
	public String toString() {
		return "TcpProxy[127.0.0.1:" + port() + " -> " + this.target + (isBlackHoled() ? ", black-holed" : "") + "]";
	}

}
