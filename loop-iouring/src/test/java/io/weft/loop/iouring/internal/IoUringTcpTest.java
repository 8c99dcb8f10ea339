package io.weft.loop.iouring.internal;

import io.weft.loop.iouring.IoUringPollerProvider;
import io.weft.loop.testkit.TcpContract;

/** The TCP contract on io_uring loops (loop-epoll's socket backend, watched through the ring), unchanged. */
class IoUringTcpTest extends TcpContract {
    @Override
    protected String pollerName() {
        return IoUringPollerProvider.NAME;
    }
}
