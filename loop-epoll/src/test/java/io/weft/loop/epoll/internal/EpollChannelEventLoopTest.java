package io.weft.loop.epoll.internal;

import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.epoll.EpollPollerProvider;
import io.weft.loop.testkit.EventLoopContract;
import io.weft.loop.testkit.NioTestPipe;
import io.weft.loop.testkit.TestPipe;
import java.io.IOException;

/** The event loop contract on epoll with {@code java.nio} channel sources (issue 9, item 8). */
class EpollChannelEventLoopTest extends EventLoopContract {
    @Override
    protected PollerProvider provider() {
        return new EpollPollerProvider();
    }

    @Override
    protected TestPipe newPipe() throws IOException {
        return new NioTestPipe();
    }
}
