package io.weft.loop.core.nio;

import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.spi.FdExhaustedException;
import io.weft.loop.core.spi.PeerResetException;
import io.weft.loop.core.spi.ServerSocketHandle;
import io.weft.loop.core.spi.SocketHandle;
import io.weft.loop.core.spi.TcpBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** TCP on {@code java.nio} channels, for the NIO poller. */
final class NioTcpBackend implements TcpBackend {
    static final NioTcpBackend INSTANCE = new NioTcpBackend();

    private NioTcpBackend() {
    }

    @Override
    public ServerSocketHandle listen(InetSocketAddress address, TcpOptions options, boolean reusePort) throws IOException {
        if (reusePort) {
            throw new UnsupportedOperationException("the nio backend has no SO_REUSEPORT listeners");
        }
        ServerSocketChannel channel = ServerSocketChannel.open(address.getAddress() instanceof java.net.Inet6Address
                ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
            if (options.receiveBufferSize() > 0) {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBufferSize());
            }
            channel.bind(address, options.backlog());
            return new NioServerSocket(channel, options);
        } catch (IOException e) {
            channel.close();
            throw new IOException("listen on " + address + ": " + e.getMessage(), e);
        }
    }

    @Override
    public SocketHandle connect(InetSocketAddress address, TcpOptions options) throws IOException {
        SocketChannel channel = SocketChannel.open(address.getAddress() instanceof java.net.Inet6Address
                ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
        try {
            channel.configureBlocking(false);
            applyOptions(channel, options);
            channel.connect(address);
            return new NioSocket(channel);
        } catch (IOException e) {
            channel.close();
            throw new IOException("connect to " + address + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean supportsReusePort() {
        return false;
    }

    static void applyOptions(SocketChannel channel, TcpOptions options) throws IOException {
        channel.setOption(StandardSocketOptions.TCP_NODELAY, options.noDelay());
        channel.setOption(StandardSocketOptions.SO_KEEPALIVE, options.keepAlive());
        if (options.receiveBufferSize() > 0) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBufferSize());
        }
        if (options.sendBufferSize() > 0) {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, options.sendBufferSize());
        }
    }

    /**
     * The one place the NIO backend classifies an {@link IOException}: java.nio reports errno only
     * through the message text (the JDK's own strings for ECONNRESET, EPIPE, EMFILE and ENFILE).
     */
    static IOException classify(IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Connection reset") || message.contains("Broken pipe")) {
            return new PeerResetException(message);
        }
        if (message.contains("Too many open files")) {
            return new FdExhaustedException(message);
        }
        return e;
    }
}
