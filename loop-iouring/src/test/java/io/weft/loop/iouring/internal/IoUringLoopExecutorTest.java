package io.weft.loop.iouring.internal;

import io.weft.loop.testkit.LoopExecutorContract;
import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.iouring.IoUringPollerProvider;

/** The loop-executor contract on io_uring loops, unchanged. */
class IoUringLoopExecutorTest extends LoopExecutorContract {
    @Override
    protected PollerProvider provider() {
        return new IoUringPollerProvider();
    }
}
