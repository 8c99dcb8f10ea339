package io.weft.loop.iouring.internal;

import io.weft.loop.testkit.TcpServerContract;
import io.weft.loop.iouring.IoUringPollerProvider;

/** The listener contract on io_uring loops, unchanged. */
class IoUringTcpServerTest extends TcpServerContract {
    @Override
    protected String pollerName() {
        return IoUringPollerProvider.NAME;
    }
}
