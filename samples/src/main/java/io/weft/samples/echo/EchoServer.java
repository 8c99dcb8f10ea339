package io.weft.samples.echo;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import io.weft.samples.OpenConnections;
import io.weft.samples.SampleLauncher;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;

/** The sample TCP echo server on a {@link LoopGroup}: one {@link EchoHandler} per connection. */
public final class EchoServer {

    private EchoServer() {
    }

    /**
     * Listens on {@code address} and echoes on {@code group}'s loops, closing connections idle for
     * {@code idleTimeout} (zero: never). Its {@link SampleLauncher.Listener#drain drain} closes each
     * connection once what it read has been echoed.
     *
     * @throws IOException if the address cannot be bound
     */
    public static SampleLauncher.Listener listen(LoopGroup group, SocketAddress address, Duration idleTimeout)
            throws IOException {
        OpenConnections<TcpConnection> open = new OpenConnections<>();
        return SampleLauncher.Listener.of(TcpServer.listen(group, address,
                TcpOptions.defaults().withIdleTimeout(idleTimeout), () -> new EchoHandler(open)), open);
    }
}
