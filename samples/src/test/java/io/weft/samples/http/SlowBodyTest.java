package io.weft.samples.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import io.weft.loop.testkit.ManualClock;
import io.weft.samples.OpenConnections;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A body dripped in slower than the minimum rate, on a loop whose clock the test moves. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowBodyTest {
    private final ManualClock clock = new ManualClock();
    private final EventLoop loop = EventLoop.builder().name("slow-body").poller("nio").clock(clock).build();
    private Thread runner;

    @AfterEach
    void stop() throws Exception {
        loop.shutdownGracefully(Duration.ZERO).get(10, TimeUnit.SECONDS);
        runner.join();
    }

    /** Listens on the idle loop (the listener keeps it running), then runs it on a thread of its own. */
    private InetSocketAddress listen(HttpConfig config) throws Exception {
        TcpServer server = TcpServer.listen(loop, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                TcpOptions.defaults(), () -> new HttpConnectionHandler(config, HttpServer.defaultRouter(), new OpenConnections<>()).overTcp());
        runner = Thread.ofPlatform().name("slow-body").start(loop::run);
        return (InetSocketAddress) server.localAddress();
    }

    @Test
    void aBodyDrippedAtOneBytePerSecondIsAnswered408OnceItsGraceHasPassed() throws Exception {
        HttpConfig config = HttpConfig.defaults().withMinBodyRate(240, Duration.ofSeconds(5));
        try (RawHttp raw = new RawHttp(listen(config))) {
            raw.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 67108864\r\nExpect: 100-continue\r\n\r\n");
            // The interim answer says the head is parsed: the body's clock starts at 0 s.
            assertThat(raw.read().status()).isEqualTo(100);
            for (int second = 1; second <= 4; second++) {
                raw.send("x");
                clock.advance(Duration.ofSeconds(1)); // 1 byte/s: within the grace nothing happens
            }
            raw.send("x");
            clock.advance(Duration.ofSeconds(2)); // 6 s in, at most 5 bytes read: far below 240 bytes/s
            raw.send("x"); // read at 6 s or later, whenever the loop takes the earlier bytes
            RawHttp.Response response = raw.read();
            assertThat(response.status()).isEqualTo(408);
            assertThat(raw.closedByServer()).isTrue();
        }
    }
}
