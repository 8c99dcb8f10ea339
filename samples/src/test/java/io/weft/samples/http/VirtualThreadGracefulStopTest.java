package io.weft.samples.http;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.vthreads.Carrier;
import io.weft.samples.SampleLauncher;
import java.io.IOException;
import java.net.InetSocketAddress;

/** The graceful stop of {@link GracefulStopTest} against the blocking style on loop-carried virtual threads. */
class VirtualThreadGracefulStopTest extends GracefulStopTest {

    @Override
    SampleLauncher.Listener listen(LoopGroup group, InetSocketAddress address, Router router) throws IOException {
        return VirtualThreadHttpServer.listen(group, address, HttpConfig.defaults(), router, Carrier.LOOP);
    }
}
