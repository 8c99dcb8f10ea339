package io.weft.loop.epoll.internal;

import io.weft.loop.testkit.HostConnectorContract;
import io.weft.loop.epoll.EpollPollerProvider;

/** Connecting by host name on the native epoll backend. */
class EpollHostConnectorTest extends HostConnectorContract {
    @Override
    protected String pollerName() {
        return EpollPollerProvider.NAME;
    }
}
