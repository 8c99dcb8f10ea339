package io.weft.loop.testkit;

import io.weft.loop.core.spi.PollerProvider;
import java.io.IOException;

/** The loop contract on loop-core's java.nio poller. */
class NioEventLoopTest extends EventLoopContract {
    @Override
    protected PollerProvider provider() {
        return InstalledPollers.named("nio");
    }

    @Override
    protected TestPipe newPipe() throws IOException {
        return new NioTestPipe();
    }
}
