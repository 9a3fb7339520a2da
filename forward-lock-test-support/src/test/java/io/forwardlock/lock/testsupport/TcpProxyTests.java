package io.forwardlock.lock.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link TcpProxy}, in front of an echo server started by the test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpProxyTests {

	private ServerSocket echo;

	private TcpProxy proxy;

	@BeforeEach
	void startEchoServerAndProxy() throws IOException {
		this.echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread server = new Thread(this::serveEcho, "echo");
		server.setDaemon(true);
		server.start();
		this.proxy = TcpProxy.start("127.0.0.1", this.echo.getLocalPort());
	}

	@AfterEach
	void stop() throws IOException {
		this.proxy.close();
		this.echo.close();
	}

	@Test
	void forwardsBothWays() throws IOException {
		try (Socket client = connect()) {
			assertThat(roundTrip(client, 'a')).isEqualTo('a');
			assertThat(roundTrip(client, 'b')).isEqualTo('b');
		}
	}

	@Test
	void blackHoledConnectionStaysOpenAndSilentThenDeliversOnceRestored() throws IOException {
		try (Socket client = connect()) {
			assertThat(roundTrip(client, 'a')).isEqualTo('a');
			this.proxy.blackHole();
			client.getOutputStream().write('b');
			client.setSoTimeout(300);
			assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> client.getInputStream().read());
			assertThat(client.isClosed()).isFalse();
			this.proxy.restore();
			client.setSoTimeout(30_000);
			assertThat(client.getInputStream().read()).isEqualTo('b');
		}
	}

	@Test
	void newConnectionWhileBlackHoledIsAcceptedButNotServedUntilRestored() throws IOException {
		this.proxy.blackHole();
		try (Socket client = connect()) {
			client.getOutputStream().write('c');
			client.setSoTimeout(300);
			assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> client.getInputStream().read());
			this.proxy.restore();
			client.setSoTimeout(30_000);
			assertThat(client.getInputStream().read()).isEqualTo('c');
		}
	}

	@Test
	void countsWhatItForwardsToTheServerNotWhatComesBack() throws IOException {
		try (Socket client = connect()) {
			assertThat(this.proxy.forwardedToServer()).isZero();
			assertThat(roundTrip(client, 'a')).isEqualTo('a');
			assertThat(this.proxy.forwardedToServer()).isOne();
			assertThat(roundTrip(client, 'b')).isEqualTo('b');
			assertThat(this.proxy.forwardedToServer()).isEqualTo(2);
		}
	}

	@Test
	void closeEndsOpenConnections() throws IOException {
		try (Socket client = connect()) {
			assertThat(roundTrip(client, 'a')).isEqualTo('a');
			this.proxy.close();
			client.setSoTimeout(30_000);
			assertThat(client.getInputStream().read()).isEqualTo(-1);
		}
	}

	private Socket connect() throws IOException {
		return new Socket(InetAddress.getLoopbackAddress(), this.proxy.port());
	}

	private static int roundTrip(Socket client, char c) throws IOException {
		client.setSoTimeout(30_000);
		client.getOutputStream().write(c);
		return client.getInputStream().read();
	}

	private void serveEcho() {
		while (!this.echo.isClosed()) {
			try {
				Socket socket = this.echo.accept();
				Thread thread = new Thread(() -> {
					try (socket;
							InputStream in = socket.getInputStream();
							OutputStream out = socket.getOutputStream()) {
						in.transferTo(out);
					}
					catch (IOException ex) {
						// the test closed its end
					}
				}, "echo-connection");
				thread.setDaemon(true);
				thread.start();
			}
			catch (IOException ex) {
				return;
			}
		}
	}

}
