package io.weft.samples.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.vthreads.Carrier;
import io.weft.samples.SampleLauncher;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Every end-to-end test of {@link HttpServerTest}, against the blocking style on loop-carried virtual threads. */
class VirtualThreadHttpServerTest extends HttpServerTest {

    @Override
    SampleLauncher.Listener listen(LoopGroup group, InetSocketAddress address, HttpConfig config) throws IOException {
        return VirtualThreadHttpServer.listen(group, address, config, HttpServer.defaultRouter(), Carrier.LOOP);
    }

    @Test
    void servesOnTheLoopCarrier() throws IOException {
        try (LoopGroup group = LoopGroup.builder().size(1).name("vt-carrier").poller("nio").build()) {
            VirtualThreadHttpServer server = VirtualThreadHttpServer.listen(group,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), HttpConfig.defaults(),
                    HttpServer.defaultRouter(), Carrier.LOOP);
            assertThat(server.carrier()).isEqualTo(Carrier.LOOP);
            server.close();
        }
    }
}
