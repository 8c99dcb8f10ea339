package io.weft.samples.echo;

import io.weft.loop.core.LoopGroup;
import io.weft.samples.SampleLauncher;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** The echo sample's blocking style ({@code --style vthreads}) against every end-to-end test of the callback style. */
class BlockingEchoServerTest extends EchoServerTest {
    @Override
    SampleLauncher.Listener listen(LoopGroup group, InetSocketAddress address, Duration idleTimeout) throws IOException {
        return BlockingEchoServer.listen(group, address, idleTimeout, null);
    }
}
