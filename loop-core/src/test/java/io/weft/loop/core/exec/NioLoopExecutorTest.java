package io.weft.loop.core.exec;

import io.weft.loop.core.nio.NioPollerProvider;
import io.weft.loop.core.spi.PollerProvider;

class NioLoopExecutorTest extends LoopExecutorContract {
    @Override
    protected PollerProvider provider() {
        return new NioPollerProvider();
    }
}
