package io.weft.loop.epoll.internal;

import io.weft.loop.epoll.EpollPollerProvider;
import io.weft.loop.testkit.UnixSocketContract;

/** The Unix domain socket contract on the native epoll backend ({@code AF_UNIX} fds). */
class EpollUnixSocketTest extends UnixSocketContract {
    @Override
    protected String pollerName() {
        return EpollPollerProvider.NAME;
    }
}
