package io.weft.loop.iouring.internal;

import io.weft.loop.testkit.PollerContract;
import io.weft.loop.testkit.TestPipe;
import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.iouring.IoUringPollerProvider;
import java.io.IOException;

/** The poller contract on io_uring, unchanged. */
class IoUringPollerTest extends PollerContract {
    @Override
    protected PollerProvider provider() {
        return new IoUringPollerProvider();
    }

    @Override
    protected TestPipe newPipe() throws IOException {
        return new IoUringTestPipe();
    }
}
