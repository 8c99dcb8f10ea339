package io.weft.loop.epoll.internal;

import io.weft.loop.epoll.EpollPollerProvider;
import io.weft.loop.testkit.TcpContract;

/** The TCP contract on the native epoll backend, unchanged. */
class EpollTcpTest extends TcpContract {
    @Override
    protected String pollerName() {
        return EpollPollerProvider.NAME;
    }
}
