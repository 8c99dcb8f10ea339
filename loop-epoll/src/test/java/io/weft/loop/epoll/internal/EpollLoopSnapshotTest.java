package io.weft.loop.epoll.internal;

import io.weft.loop.core.LoopSnapshotContract;
import io.weft.loop.core.TestPipe;
import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.epoll.EpollPollerProvider;
import java.io.IOException;

class EpollLoopSnapshotTest extends LoopSnapshotContract {
    @Override
    protected PollerProvider provider() {
        return new EpollPollerProvider();
    }

    @Override
    protected TestPipe newPipe() throws IOException {
        return new EpollTestPipe();
    }
}
