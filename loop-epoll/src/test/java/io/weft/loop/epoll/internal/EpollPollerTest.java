package io.weft.loop.epoll.internal;

import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.epoll.EpollPollerProvider;
import io.weft.loop.testkit.PollerContract;
import io.weft.loop.testkit.TestPipe;
import java.io.IOException;

/** The poller contract on epoll, waiting with {@code epoll_pwait2} where the kernel has it. */
class EpollPollerTest extends PollerContract {
    @Override
    protected PollerProvider provider() {
        return new EpollPollerProvider();
    }

    @Override
    protected TestPipe newPipe() throws IOException {
        return new EpollTestPipe();
    }
}
