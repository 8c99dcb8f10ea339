package io.weft.samples.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.vthreads.Carrier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A body dripped in slower than the minimum rate, in blocking style: the read of a body waits no
 * longer than the rate allows, then the server answers 408 and closes. (The blocking style reads
 * the system clock; the drip is far below the rate, so when the 408 comes does not matter.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VirtualThreadSlowBodyTest {
    private final LoopGroup group = LoopGroup.builder().size(1).name("vt-slow-body").poller("nio").build();

    @AfterEach
    void stop() {
        group.close();
    }

    @Test
    void aBodyDrippedFarBelowTheMinimumRateIsAnswered408() throws Exception {
        // 1 000 bytes/s after 200 ms; the client sends a byte every 50 ms (20 bytes/s) and never stops.
        HttpConfig config = HttpConfig.defaults().withMinBodyRate(1000, Duration.ofMillis(200));
        VirtualThreadHttpServer server = VirtualThreadHttpServer.listen(group,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config, HttpServer.defaultRouter(), Carrier.LOOP);
        try (RawHttp raw = new RawHttp((InetSocketAddress) server.localAddress())) {
            raw.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 67108864\r\n\r\n");
            Thread dripper = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        raw.send("x");
                        Thread.sleep(50); // the slow client's pace: the workload, not a wait for a condition
                    }
                } catch (Exception e) {
                    // the server closed the connection: the drip is over
                }
            });
            RawHttp.Response response = raw.read();
            assertThat(response.status()).isEqualTo(408);
            assertThat(raw.closedByServer()).isTrue();
            dripper.interrupt();
            dripper.join();
        }
    }
}
