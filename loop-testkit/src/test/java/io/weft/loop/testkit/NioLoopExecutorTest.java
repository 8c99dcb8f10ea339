package io.weft.loop.testkit;

import io.weft.loop.core.spi.PollerProvider;

class NioLoopExecutorTest extends LoopExecutorContract {
    @Override
    protected PollerProvider provider() {
        return InstalledPollers.named("nio");
    }
}
