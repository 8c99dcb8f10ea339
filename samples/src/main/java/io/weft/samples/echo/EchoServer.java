package io.weft.samples.echo;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.StreamConnection;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.loop.core.net.tls.TlsServer;
import io.weft.samples.OpenConnections;
import io.weft.samples.SampleLauncher;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;

/** The sample echo server on a {@link LoopGroup}, plain TCP or TLS: one {@link EchoHandler} per connection. */
public final class EchoServer {

    private EchoServer() {
    }

    /**
     * Listens on {@code address} and echoes on {@code group}'s loops, closing connections idle for
     * {@code idleTimeout} (zero: never). Its {@link SampleLauncher.Listener#drain drain} closes each
     * connection once what it read has been echoed.
     *
     * @param group the loops that accept and echo
     * @param address where to listen
     * @param idleTimeout how long a connection may stay idle; zero for ever
     * @return the listening server
     * @throws IOException if the address cannot be bound
     */
    public static SampleLauncher.Listener listen(LoopGroup group, SocketAddress address, Duration idleTimeout)
            throws IOException {
        OpenConnections<StreamConnection> open = new OpenConnections<>();
        return SampleLauncher.Listener.of(TcpServer.listen(group, address,
                TcpOptions.defaults().withIdleTimeout(idleTimeout), () -> new EchoHandler(open)), open);
    }

    /**
     * Like {@link #listen}, over TLS: each connection handshakes as {@code tls} says, then its
     * plaintext is echoed, and the peer's close_notify ends it as end of stream does.
     *
     * @param group the loops that accept, handshake and echo
     * @param address where to listen
     * @param idleTimeout how long a connection may stay idle; zero for ever
     * @param tls the server's certificate and protocols
     * @return the listening server
     * @throws IOException if the address cannot be bound
     */
    public static SampleLauncher.Listener listenTls(LoopGroup group, SocketAddress address, Duration idleTimeout,
            TlsConfig tls) throws IOException {
        OpenConnections<StreamConnection> open = new OpenConnections<>();
        TlsServer server = TlsServer.listen(group, address, TcpOptions.defaults().withIdleTimeout(idleTimeout), tls,
                () -> new EchoHandler(open));
        return SampleLauncher.Listener.of(server, open);
    }
}
