package io.weft.loop.core.nio;

import io.weft.loop.core.net.spi.ServerSocketHandle;
import io.weft.loop.core.net.spi.SocketHandle;
import io.weft.loop.core.net.spi.SocketOptions;
import io.weft.loop.core.spi.PollSource;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A listening {@link ServerSocketChannel}. */
final class NioServerSocket implements ServerSocketHandle {
    private final ServerSocketChannel channel;
    private final PollSource source;
    private final SocketOptions options;

    NioServerSocket(ServerSocketChannel channel, SocketOptions options) {
        this.channel = channel;
        this.source = PollSource.of(channel);
        this.options = options;
    }

    @Override
    public PollSource source() {
        return source;
    }

    @Override
    public SocketHandle accept() throws IOException {
        SocketChannel accepted;
        try {
            accepted = channel.accept();
        } catch (IOException e) {
            throw NioTcpBackend.classify(e);
        }
        if (accepted == null) {
            return null;
        }
        try {
            accepted.configureBlocking(false);
            NioTcpBackend.applyOptions(accepted, options);
        } catch (IOException e) {
            accepted.close();
            throw e;
        }
        return new NioSocket(accepted);
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        return channel.getLocalAddress();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
