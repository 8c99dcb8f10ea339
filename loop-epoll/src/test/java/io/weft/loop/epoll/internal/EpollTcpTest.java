package io.weft.loop.epoll.internal;

import io.weft.loop.core.net.TcpContract;
import io.weft.loop.epoll.EpollPollerProvider;

/** The TCP contract on the native epoll backend, unchanged. */
class EpollTcpTest extends TcpContract {
    @Override
    protected String pollerName() {
        return EpollPollerProvider.NAME;
    }
}
