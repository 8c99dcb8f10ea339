package io.weft.loop.iouring;

import io.weft.loop.core.net.spi.TcpBackend;
import io.weft.loop.core.net.spi.TcpBackendProvider;
import io.weft.loop.epoll.internal.EpollTcpBackend;

/**
 * TCP for loops on the {@code iouring} poller, found by {@link java.util.ServiceLoader}: for now
 * loop-epoll's readiness-based native sockets (non-blocking raw socket fds, read and written with
 * {@code recv}/{@code sendmsg} when the poller reports them ready), watched through the ring's poll
 * requests. Completion-based accept, receive and send are not used yet.
 */
public final class IoUringTcpBackendProvider implements TcpBackendProvider {

    /** Makes the provider; {@link java.util.ServiceLoader} calls it. Probes nothing. */
    public IoUringTcpBackendProvider() {
    }

    @Override
    public String pollerName() {
        return IoUringPollerProvider.NAME;
    }

    /**
     * The native backend, shared by every iouring loop.
     *
     * @throws IllegalStateException if io_uring is unavailable here, with the reason
     */
    @Override
    public TcpBackend create() {
        IoUring.ensureAvailability();
        return EpollTcpBackend.INSTANCE;
    }
}
