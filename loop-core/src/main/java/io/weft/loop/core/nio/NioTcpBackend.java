package io.weft.loop.core.nio;

import io.weft.loop.core.net.spi.FdExhaustedException;
import io.weft.loop.core.net.spi.PeerResetException;
import io.weft.loop.core.net.spi.ServerSocketHandle;
import io.weft.loop.core.net.spi.SocketHandle;
import io.weft.loop.core.net.spi.SocketOptions;
import io.weft.loop.core.net.spi.TcpBackend;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * TCP and Unix domain stream sockets on {@code java.nio} channels, for the NIO poller. Stateless,
 * so thread-safe.
 */
final class NioTcpBackend implements TcpBackend {
    static final NioTcpBackend INSTANCE = new NioTcpBackend();

    private final boolean reusePort;

    private NioTcpBackend() {
        boolean supported;
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            supported = probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (IOException e) {
            supported = false;
        }
        reusePort = supported;
    }

    @Override
    public ServerSocketHandle listen(SocketAddress address, SocketOptions options) throws IOException {
        if (options.reusePort() && !reusePort) {
            throw new UnsupportedOperationException("this JDK has no SO_REUSEPORT on this OS; listen without port sharing");
        }
        ServerSocketChannel channel = ServerSocketChannel.open(familyOf(address));
        try {
            channel.configureBlocking(false);
            if (address instanceof InetSocketAddress) { // a Unix domain channel has no SO_REUSEADDR
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
            }
            if (options.reusePort()) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            if (options.receiveBufferSize() > 0) {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBufferSize());
            }
            channel.bind(address, options.backlog());
            return new NioServerSocket(channel, options);
        } catch (BindException e) {
            channel.close();
            BindException named = new BindException("bind(" + address + "): " + e.getMessage());
            named.initCause(e);
            throw named;
        } catch (IOException e) {
            channel.close();
            throw new IOException("listen on " + address + ": " + e.getMessage(), e);
        }
    }

    @Override
    public SocketHandle connect(SocketAddress address, SocketOptions options) throws IOException {
        SocketChannel channel = SocketChannel.open(familyOf(address));
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

    /** Whether this JDK offers SO_REUSEPORT on this OS (it does on Linux and the BSDs). */
    @Override
    public boolean supportsReusePort() {
        return reusePort;
    }

    private static ProtocolFamily familyOf(SocketAddress address) {
        return switch (address) {
            case InetSocketAddress inet when inet.getAddress() instanceof Inet6Address -> StandardProtocolFamily.INET6;
            case InetSocketAddress inet -> StandardProtocolFamily.INET;
            default -> StandardProtocolFamily.UNIX;
        };
    }

    /** Sets what differs from a new channel's defaults (no-delay and keep-alive off, OS buffer sizes). */
    static void applyOptions(SocketChannel channel, SocketOptions options) throws IOException {
        if (options.noDelay()) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        if (options.keepAlive()) {
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        }
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
