package io.weft.loop.epoll;

import io.weft.loop.core.net.spi.TcpBackend;
import io.weft.loop.core.net.spi.TcpBackendProvider;
import io.weft.loop.epoll.internal.EpollTcpBackend;

/**
 * TCP for loops on the {@code epoll} poller, found by {@link java.util.ServiceLoader}: sockets made
 * with {@code SOCK_NONBLOCK | SOCK_CLOEXEC}, watched as raw fds, with {@code SO_REUSEPORT} for
 * listeners that share a port on purpose.
 */
public final class EpollTcpBackendProvider implements TcpBackendProvider {

    /** Makes the provider; {@link java.util.ServiceLoader} calls it. Opens nothing. */
    public EpollTcpBackendProvider() {
    }

    @Override
    public String pollerName() {
        return EpollPollerProvider.NAME;
    }

    /**
     * The native backend, shared by every epoll loop.
     *
     * @throws IllegalStateException if epoll is unavailable here, with the reason
     */
    @Override
    public TcpBackend create() {
        Epoll.ensureAvailability();
        return EpollTcpBackend.INSTANCE;
    }
}
