package io.weft.loop.iouring.internal;

import io.weft.loop.iouring.IoUringPollerProvider;
import io.weft.loop.testkit.UnixSocketContract;

/** The Unix domain socket contract on io_uring loops (the epoll stream backend's {@code AF_UNIX} fds). */
class IoUringUnixSocketTest extends UnixSocketContract {
    @Override
    protected String pollerName() {
        return IoUringPollerProvider.NAME;
    }
}
