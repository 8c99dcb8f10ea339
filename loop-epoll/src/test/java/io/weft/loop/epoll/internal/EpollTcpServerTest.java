package io.weft.loop.epoll.internal;

import io.weft.loop.epoll.EpollPollerProvider;
import io.weft.loop.testkit.TcpServerContract;

/** The listener contract on the native epoll backend. */
class EpollTcpServerTest extends TcpServerContract {
    @Override
    protected String pollerName() {
        return EpollPollerProvider.NAME;
    }
}
