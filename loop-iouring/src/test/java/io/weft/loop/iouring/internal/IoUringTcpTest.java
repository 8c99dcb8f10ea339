package io.weft.loop.iouring.internal;

import io.weft.loop.testkit.TcpContract;
import io.weft.loop.iouring.IoUringPollerProvider;

/** The TCP contract on io_uring loops (loop-epoll's native sockets, watched through the ring), unchanged. */
class IoUringTcpTest extends TcpContract {
    @Override
    protected String pollerName() {
        return IoUringPollerProvider.NAME;
    }
}
