package io.weft.loop.iouring.internal;

import io.weft.loop.iouring.IoUringPollerProvider;
import io.weft.loop.testkit.HostConnectorContract;

/** Connecting by host name on io_uring loops, unchanged. */
class IoUringHostConnectorTest extends HostConnectorContract {
    @Override
    protected String pollerName() {
        return IoUringPollerProvider.NAME;
    }
}
