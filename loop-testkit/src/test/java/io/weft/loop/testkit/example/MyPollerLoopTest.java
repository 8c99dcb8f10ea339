package io.weft.loop.testkit.example;

import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.testkit.EventLoopContract;
import io.weft.loop.testkit.NioTestPipe;
import io.weft.loop.testkit.TestPipe;
import java.io.IOException;

/** The README's example, compiled and run: the whole loop contract on {@link MyPollerProvider}. */
class MyPollerLoopTest extends EventLoopContract {
    @Override
    protected PollerProvider provider() {
        return new MyPollerProvider();
    }

    @Override
    protected TestPipe newPipe() throws IOException {
        return new NioTestPipe(); // a pipe your poller can watch
    }
}
