package io.weft.loop.core.net.tls;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A TLS server: a {@link TcpServer} whose connections handshake as {@link TlsConnection}s before
 * their {@link TlsHandler} sees plaintext. Binds, spreads connections and closes like {@link
 * TcpServer}; the certificate is picked per handshake (SNI, rotation: see {@link CertificateStore}).
 */
public final class TlsServer implements AutoCloseable {
    private final TcpServer tcp;

    private TlsServer(TcpServer tcp) {
        this.tcp = tcp;
    }

    /**
     * Listens on {@code address} and serves every connection on {@code loop}.
     *
     * @param loop the loop every connection runs on
     * @param address the address to bind
     * @param options the TCP options of the listener and its connections
     * @param config the TLS settings, with the certificates to present
     * @param handlers makes the handler of each new connection, on the loop thread
     * @return the listening server
     * @throws IOException if the address cannot be bound, naming it
     * @throws IllegalArgumentException if {@code config} has no certificate to present
     */
    public static TlsServer listen(EventLoop loop, SocketAddress address, TcpOptions options, TlsConfig config,
            Supplier<? extends TlsHandler> handlers) throws IOException {
        check(config, handlers);
        return new TlsServer(TcpServer.listen(loop, address, options, () -> TlsConnection.accepting(config, handlers.get())));
    }

    /**
     * Listens on {@code address} and spreads connections over the loops of {@code group}.
     *
     * @param group the loops connections are spread over
     * @param address the address to bind
     * @param options the TCP options of the listeners and their connections
     * @param config the TLS settings, with the certificates to present
     * @param handlers makes the handler of each new connection, on that connection's loop thread
     * @return the listening server
     * @throws IOException if the address cannot be bound, naming it
     * @throws IllegalArgumentException if {@code config} has no certificate to present
     */
    public static TlsServer listen(LoopGroup group, SocketAddress address, TcpOptions options, TlsConfig config,
            Supplier<? extends TlsHandler> handlers) throws IOException {
        check(config, handlers);
        return new TlsServer(TcpServer.listen(group, address, options, () -> TlsConnection.accepting(config, handlers.get())));
    }

    private static void check(TlsConfig config, Supplier<?> handlers) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(handlers, "handlers");
        if (!config.canServe()) {
            throw new IllegalArgumentException("a TLS server needs a certificate: give the config a CertificateStore"
                    + " holding a default one (loadPem or loadPkcs12), or an SSLContext with a key manager");
        }
    }

    /**
     * {@return the bound address, as {@link TcpServer#localAddress()}: with the real port when the
     * server was asked for port 0, or its Unix socket path}
     */
    public SocketAddress localAddress() {
        return tcp.localAddress();
    }

    /** Stops listening; connections already accepted stay open. Safe from any thread, idempotent. */
    @Override
    public void close() {
        tcp.close();
    }
}
