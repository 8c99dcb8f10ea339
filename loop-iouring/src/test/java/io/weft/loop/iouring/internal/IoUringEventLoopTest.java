package io.weft.loop.iouring.internal;

import io.weft.loop.testkit.EventLoopContract;
import io.weft.loop.testkit.TestPipe;
import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.iouring.IoUringPollerProvider;
import java.io.IOException;

/** The event-loop contract on io_uring, unchanged. */
class IoUringEventLoopTest extends EventLoopContract {
    @Override
    protected PollerProvider provider() {
        return new IoUringPollerProvider();
    }

    @Override
    protected TestPipe newPipe() throws IOException {
        return new IoUringTestPipe();
    }
}
