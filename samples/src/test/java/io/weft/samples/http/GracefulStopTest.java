package io.weft.samples.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.LoopGroup;
import io.weft.samples.GracefulStop;
import io.weft.samples.SampleLauncher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A graceful stop under a pipelined flood from clients that have not read yet: nothing produced is lost. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GracefulStopTest {
    private static final String REQUEST = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";

    /** Starts the server under test, serving {@code router}: the callback style here. */
    SampleLauncher.Listener listen(LoopGroup group, InetSocketAddress address, Router router) throws IOException {
        return HttpServer.listen(group, address, HttpConfig.defaults(), router);
    }

    @Test
    void everyResponseProducedBeforeTheStopArrivesWholeThenTheConnectionEndsAtAResponseBoundary() throws Exception {
        LoopGroup group = LoopGroup.builder().size(2).name("graceful").poller("nio").build();
        SampleLauncher.Listener server = listen(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                HttpServer.defaultRouter());
        List<Socket> clients = new ArrayList<>();
        byte[] flood = REQUEST.repeat(100_000).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 8; i++) {
            Socket client = new Socket(((InetSocketAddress) server.localAddress()).getAddress(), ((InetSocketAddress) server.localAddress()).getPort());
            client.setSoTimeout(30_000);
            clients.add(client);
            // Sent from another thread: the server stops reading once its replies back up, so this blocks.
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    client.getOutputStream().write(flood);
                } catch (IOException e) {
                    // the server closed before reading every request: those were never started
                }
            });
        }
        for (Socket client : clients) {
            client.getInputStream().mark(0);
            awaitInput(client); // the server has answered: responses are queued for a client that does not read
        }

        CompletableFuture<Boolean> stop = CompletableFuture.supplyAsync(() -> GracefulStop.stop(group, server::close,
                server::drain, Duration.ofSeconds(5), System.err));

        for (Socket client : clients) {
            int responses = wholeResponses(readToEnd(client.getInputStream()));
            assertThat(responses).as("responses received whole").isPositive();
            client.close();
        }
        assertThat(stop.get(10, TimeUnit.SECONDS)).as("a clean stop").isTrue();
    }

    @Test
    void aStopWhoseGraceEndsBeforeAResponseIsFlushedSaysItWasUncleanInsteadOfCuttingItOffQuietly() throws Exception {
        byte[] body = new byte[16 << 20]; // more than the kernel's buffers hold for a client that does not read
        LoopGroup group = LoopGroup.builder().size(1).name("graceful-cut").poller("nio").build();
        SampleLauncher.Listener server = listen(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new Router((request, responder) -> responder.send(200, "OK", "application/octet-stream", body)));
        try (Socket client = new Socket(((InetSocketAddress) server.localAddress()).getAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
            client.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
            awaitInput(client); // the response is produced; most of it waits for the client, which reads nothing
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            boolean clean = GracefulStop.stop(group, server::close, server::drain, Duration.ofSeconds(3),
                    new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(clean).as("a clean stop, though the response was not flushed").isFalse();
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("1 still serving or flushing");
        } finally {
            group.close();
        }
    }

    @Test
    void aConnectionStillLingeringWhenTheGraceEndsEndsCleanlyWithEveryResponseWhole() throws Exception {
        LoopGroup group = LoopGroup.builder().size(1).name("graceful-linger").poller("nio").build();
        SampleLauncher.Listener server = listen(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                HttpServer.defaultRouter());
        try (Socket client = new Socket(((InetSocketAddress) server.localAddress()).getAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
            client.setSoTimeout(30_000);
            client.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            while (!received.toString(StandardCharsets.ISO_8859_1).endsWith("Hello, World!")) {
                received.write(in.read());
            }
            // The client keeps its socket open through the stop: the server lingers (2 s) past the grace (1 s).
            boolean clean = GracefulStop.stop(group, server::close, server::drain, Duration.ofSeconds(1), System.err);
            assertThat(clean).as("a clean stop: the response was flushed, only the linger was cut short").isTrue();
            received.write(readToEnd(in)); // the server's FIN, not a reset
            assertThat(wholeResponses(received.toByteArray())).isEqualTo(1);
        } finally {
            group.close();
        }
    }

    private static void awaitInput(Socket client) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (client.getInputStream().available() == 0) {
            assertThat(System.nanoTime() - deadline).as("no response within 30 s").isNegative();
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Reads until the server's FIN; a reset fails the test (responses not yet read would be lost). */
    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toByteArray();
    }

    /** Counts the responses in {@code bytes}, failing unless every one is whole and nothing follows the last. */
    private static int wholeResponses(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int count = 0;
        int at = 0;
        while (at < text.length()) {
            assertThat(text.startsWith("HTTP/1.1 200 OK\r\n", at)).as("a response starts at byte " + at).isTrue();
            int headEnd = text.indexOf("\r\n\r\n", at);
            assertThat(headEnd).as("the head of the response at byte " + at + " is whole").isPositive();
            String head = text.substring(at, headEnd).toLowerCase(java.util.Locale.ROOT);
            int lengthAt = head.indexOf("content-length: ");
            int length = Integer.parseInt(head.substring(lengthAt + 16, head.indexOf("\r\n", lengthAt) < 0
                    ? head.length() : head.indexOf("\r\n", lengthAt)).strip());
            int end = headEnd + 4 + length;
            assertThat(end).as("the body of the response at byte " + at + " is whole").isLessThanOrEqualTo(text.length());
            at = end;
            count++;
        }
        return count;
    }
}
