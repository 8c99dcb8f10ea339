package io.weft.loop.iouring.internal;

import io.weft.loop.core.net.spi.ServerSocketHandle;
import io.weft.loop.core.net.spi.SocketHandle;
import io.weft.loop.core.net.spi.SocketOptions;
import io.weft.loop.core.net.spi.TcpBackend;
import io.weft.loop.epoll.internal.EpollTcpBackend;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * TCP and Unix domain stream sockets driven by completions on the ring of the loop that watches
 * them: multishot accept, multishot receive into a provided-buffer ring, sends from staging memory
 * (see {@link IoUringSocket}, {@link IoUringServerSocket}). Sockets are made, bound, connected and
 * closed by loop-epoll's backend, which owns their fds; a connect is watched with a poll request
 * until it completes, then the socket goes over to completions. Stateless: each loop's ring keeps
 * its sockets' state ({@link SocketDriver}).
 */
public final class IoUringTcpBackend implements TcpBackend {
    /** The backend every iouring loop shares. */
    public static final IoUringTcpBackend INSTANCE = new IoUringTcpBackend();

    private IoUringTcpBackend() {
    }

    /**
     * Why completions cannot drive TCP on this kernel (Linux 6.3+ with buffer rings is needed), or
     * null when they can; worked out by opening a ring and registering a buffer ring.
     *
     * @return the reason, or null
     */
    public static String unsupportedReason() {
        return IoUringPoller.completionSupportCause();
    }

    @Override
    public ServerSocketHandle listen(SocketAddress address, SocketOptions options) throws IOException {
        IoUringServerSocket listener = new IoUringServerSocket(EpollTcpBackend.INSTANCE.listen(address, options), options);
        CompletionFds.put(listener);
        return listener;
    }

    @Override
    public SocketHandle connect(SocketAddress address, SocketOptions options) throws IOException {
        IoUringSocket socket = new IoUringSocket(EpollTcpBackend.INSTANCE.connect(address, options), false);
        CompletionFds.put(socket);
        return socket;
    }

    /** True, as loop-epoll's sockets. */
    @Override
    public boolean supportsReusePort() {
        return true;
    }
}
