package io.weft.loop.epoll.internal;

import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.epoll.EpollPollerProvider;
import io.weft.loop.testkit.LoopExecutorContract;

class EpollLoopExecutorTest extends LoopExecutorContract {
    @Override
    protected PollerProvider provider() {
        return new EpollPollerProvider();
    }
}
