package io.weft.loop.core.nio;

import io.weft.loop.core.LoopSnapshotContract;
import io.weft.loop.core.TestPipe;
import io.weft.loop.core.spi.PollerProvider;
import java.io.IOException;

class NioLoopSnapshotTest extends LoopSnapshotContract {
    @Override
    protected PollerProvider provider() {
        return new NioPollerProvider();
    }

    @Override
    protected TestPipe newPipe() throws IOException {
        return new NioTestPipe();
    }
}
