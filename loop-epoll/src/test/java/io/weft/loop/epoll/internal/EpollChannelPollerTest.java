package io.weft.loop.epoll.internal;

import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.epoll.EpollPollerProvider;
import io.weft.loop.testkit.NioTestPipe;
import io.weft.loop.testkit.PollerContract;
import io.weft.loop.testkit.TestPipe;
import java.io.IOException;

/** The poller contract on epoll with {@code java.nio} channel sources (issue 9, item 8). */
class EpollChannelPollerTest extends PollerContract {
    @Override
    protected PollerProvider provider() {
        return new EpollPollerProvider();
    }

    @Override
    protected TestPipe newPipe() throws IOException {
        return new NioTestPipe();
    }
}
