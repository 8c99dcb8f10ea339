package io.weft.loop.core.nio;

import io.weft.loop.core.EventLoopContract;
import io.weft.loop.core.TestPipe;
import io.weft.loop.core.spi.PollerProvider;
import java.io.IOException;

class NioEventLoopTest extends EventLoopContract {
    @Override
    protected PollerProvider provider() {
        return new NioPollerProvider();
    }

    @Override
    protected TestPipe newPipe() throws IOException {
        return new NioTestPipe();
    }
}
