package io.weft.loop.iouring.internal;

import io.weft.loop.iouring.IoUringPollerProvider;
import io.weft.loop.testkit.TlsContract;

/** The TLS contract on io_uring loops, unchanged. */
class IoUringTlsTest extends TlsContract {
    @Override
    protected String pollerName() {
        return IoUringPollerProvider.NAME;
    }
}
