package io.weft.samples.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.net.TcpServer;
import io.weft.loop.testkit.ManualClock;
import io.weft.samples.OpenConnections;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A response that ends its connection (the one a graceful stop ends on, too) reaches a client that
 * reads it long after the linger timeout: the linger times the draining after the FIN, never the
 * flush of the response before it. On a loop whose clock the test moves.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClosingResponseTest {
    /** More than the kernel's socket buffers hold for a client that does not read: most of it stays queued. */
    private static final int BODY = 16 << 20;

    private final ManualClock clock = new ManualClock();
    private final EventLoop loop = EventLoop.builder().name("closing-response").poller("nio").clock(clock).build();
    private Thread runner;

    @AfterEach
    void stop() throws Exception {
        loop.shutdownGracefully(Duration.ZERO).get(10, TimeUnit.SECONDS);
        runner.join();
    }

    @Test
    void aClientThatReadsItsLastResponseLongAfterTheLingerTimeoutGetsAllOfItThenEndOfStream() throws Exception {
        byte[] body = new byte[BODY];
        Arrays.fill(body, (byte) 'x');
        HttpConfig config = HttpConfig.defaults();
        Router router = new Router((request, responder) -> responder.send(200, "OK", "application/octet-stream", body));
        TcpServer server = TcpServer.listen(loop, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                HttpServer.tcpOptions(config), () -> new HttpConnectionHandler(config, router, new OpenConnections<>()).overTcp());
        runner = Thread.ofPlatform().name("closing-response").start(loop::run);

        try (Socket client = new Socket(((InetSocketAddress) server.localAddress()).getAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
            client.setSoTimeout(30_000);
            client.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            while (in.available() == 0) { // the response is produced, and most of it is queued behind the kernel's buffers
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            clock.advance(config.lingerTimeout().multipliedBy(3)); // the client has read nothing yet

            byte[] received = in.readAllBytes(); // a reset (the response cut off) throws here
            String text = new String(received, StandardCharsets.ISO_8859_1);
            int headEnd = text.indexOf("\r\n\r\n") + 4;
            assertThat(text).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\nContent-Length: " + BODY + "\r\n");
            assertThat(received.length - headEnd).as("body bytes, then end of stream").isEqualTo(BODY);
        }
    }
}
