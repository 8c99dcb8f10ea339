package io.weft.loop.epoll.internal;

import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.epoll.EpollPollerProvider;
import io.weft.loop.testkit.EventLoopContract;
import io.weft.loop.testkit.TestPipe;
import java.io.IOException;

class EpollEventLoopTest extends EventLoopContract {
    @Override
    protected PollerProvider provider() {
        return new EpollPollerProvider();
    }

    @Override
    protected TestPipe newPipe() throws IOException {
        return new EpollTestPipe();
    }
}
