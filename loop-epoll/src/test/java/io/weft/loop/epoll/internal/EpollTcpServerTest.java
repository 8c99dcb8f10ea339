package io.weft.loop.epoll.internal;

import io.weft.loop.core.net.TcpServerContract;
import io.weft.loop.epoll.EpollPollerProvider;

/** The listener contract on the native epoll backend. */
class EpollTcpServerTest extends TcpServerContract {
    @Override
    protected String pollerName() {
        return EpollPollerProvider.NAME;
    }
}
