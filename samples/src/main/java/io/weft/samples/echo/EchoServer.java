package io.weft.samples.echo;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** The sample TCP echo server on a {@link LoopGroup}: one {@link EchoHandler} per connection. */
public final class EchoServer {

    private EchoServer() {
    }

    /**
     * Listens on {@code address} and echoes on {@code group}'s loops, closing connections idle for
     * {@code idleTimeout} (zero: never).
     *
     * @throws IOException if the address cannot be bound
     */
    public static TcpServer listen(LoopGroup group, InetSocketAddress address, Duration idleTimeout)
            throws IOException {
        return TcpServer.listen(group, address, TcpOptions.defaults().withIdleTimeout(idleTimeout), EchoHandler::new);
    }
}
