package io.weft.samples.http;

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

/**
 * The sample HTTP/1.1 server on a {@link LoopGroup}: one {@link HttpConnectionHandler} per
 * connection, routes from a {@link Router}.
 *
 * {@snippet :
 * LoopGroup group = LoopGroup.builder().size(2).name("http").build();
 * SampleLauncher.Listener server = HttpServer.listen(group, new InetSocketAddress("127.0.0.1", 8080),
 *         HttpConfig.defaults(), HttpServer.defaultRouter());
 * }
 */
public final class HttpServer {

    private HttpServer() {
    }

    /** The sample's routes: {@code /} says hello; every other path is 404. */
    public static Router defaultRouter() {
        return new Router((request, responder) -> responder.send(Responses.NOT_FOUND))
                .add("/", new HelloRoute());
    }

    /**
     * Listens on {@code address} and serves {@code router}'s routes on {@code group}'s loops; the
     * connection idle timeout is {@link HttpConfig#idleTimeout()}. Its {@link
     * SampleLauncher.Listener#drain drain} answers the requests in progress, then closes each
     * connection at a response boundary once its responses are flushed.
     *
     * @throws IOException if the address cannot be bound
     */
    public static SampleLauncher.Listener listen(LoopGroup group, SocketAddress address, HttpConfig config,
            Router router) throws IOException {
        TcpOptions options = tcpOptions(config);
        OpenConnections<StreamConnection> open = new OpenConnections<>();
        return SampleLauncher.Listener.of(TcpServer.listen(group, address, options,
                () -> new HttpConnectionHandler(config, router, open).overTcp()), open);
    }

    /**
     * The options of the server's connections: {@link HttpConfig#idleTimeout()}, and {@link
     * HttpConfig#lingerTimeout()} as the time a closing connection drains input after its FIN.
     */
    static TcpOptions tcpOptions(HttpConfig config) {
        return TcpOptions.defaults().withIdleTimeout(config.idleTimeout()).withLingerTimeout(config.lingerTimeout());
    }

    /**
     * Like {@link #listen}, serving HTTPS: every connection handshakes as {@code tls} says, then
     * the same handler serves it, and drains the same way.
     *
     * @throws IOException if the address cannot be bound
     */
    public static SampleLauncher.Listener listenTls(LoopGroup group, SocketAddress address, HttpConfig config,
            TlsConfig tls, Router router) throws IOException {
        TcpOptions options = tcpOptions(config);
        OpenConnections<StreamConnection> open = new OpenConnections<>();
        TlsServer server = TlsServer.listen(group, address, options, tls,
                () -> new HttpConnectionHandler(config, router, open).overTls());
        return SampleLauncher.Listener.of(server, open);
    }
}
