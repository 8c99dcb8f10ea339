package io.weft.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.samples.echo.EchoMain;
import io.weft.samples.http.HttpMain;
import io.weft.samples.kv.KvMain;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The samples as an operator runs them: a child JVM stopped with SIGTERM. */
class StopProcessTest {

    @Test
    void aCleanStopOnSigtermExitsZero() throws Exception {
        for (Class<?> main : new Class<?>[] {HttpMain.class, EchoMain.class, KvMain.class}) {
            try (SampleProcess sample = SampleProcess.start(main, "--port", "0", "--loops", "1")) {
                int port = sample.awaitPort();
                try (Socket client = new Socket("127.0.0.1", port)) {
                    client.setSoTimeout(10_000);
                    // connected and then idle: a clean stop closes it
                }
                sample.terminate();
                assertThat(sample.awaitExit()).as(main.getSimpleName() + " " + sample.err()).isZero();
                assertThat(sample.out()).as(sample.err().toString()).anyMatch(line -> line.endsWith(" stopped"));
            }
        }
    }

    @Test
    void aServerThatRanOutOfMemoryStillStopsAndSaysSo() throws Exception {
        // Bounds set far above a 64 MiB heap, so that four clients' values exhaust it.
        try (SampleProcess sample = SampleProcess.start(List.of("-Xmx64m"), KvMain.class, "--port", "0", "--loops", "1",
                "--max-bulk", "536870912", "--max-request", "4294967296", "--max-query-memory", "4294967296")) {
            int port = sample.awaitPort();
            List<Socket> clients = new ArrayList<>();
            List<Thread> senders = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Socket client = new Socket("127.0.0.1", port);
                clients.add(client);
                senders.add(Thread.ofPlatform().daemon().start(() -> {
                    try {
                        OutputStream out = client.getOutputStream();
                        out.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\n".getBytes(StandardCharsets.US_ASCII));
                        byte[] chunk = new byte[1 << 20];
                        for (int mib = 0; mib < 512; mib++) {
                            out.write(chunk);
                        }
                    } catch (IOException e) {
                        // the server closed the connection (or died)
                    }
                }));
            }
            sample.awaitErr("OutOfMemoryError");
            sample.terminate(); // the Error may have begun the stop already; then the signal changes nothing
            // 1 when the Error ended a thread (it begins an unclean stop); 0 when the loop caught it and went on.
            // Either way it ends by itself and says so: the "stopped" line is encoded before the heap
            // runs out, and printing it allocates nothing.
            assertThat(sample.awaitExit()).as("ends by itself, not killed").isIn(StopSignals.CLEAN, StopSignals.UNCLEAN);
            assertThat(sample.out()).as(sample.err().toString()).anyMatch(line -> line.startsWith("weft kv stopped"));
            for (Socket client : clients) {
                client.close();
            }
            for (Thread sender : senders) {
                sender.join();
            }
        }
    }

    @Test
    void aStopWithALoopBlockedFor20SecondsEndsWithinItsBoundAndSaysWhatWasLeft() throws Exception {
        try (SampleProcess sample = SampleProcess.start(HttpMain.class,
                "--port", "0", "--loops", "1", "--demo-blocking");
                Socket client = new Socket()) {
            client.connect(new java.net.InetSocketAddress("127.0.0.1", sample.awaitPort()));
            OutputStream out = client.getOutputStream();
            out.write("GET /block?ms=20000 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            sample.awaitFrame("BlockRoute.holdTheLoop"); // the loop thread is in the 20 s block
            long signalled = System.nanoTime();
            sample.terminate();
            int status = sample.awaitExit();
            Duration took = Duration.ofNanos(System.nanoTime() - signalled);

            assertThat(status).as("a stop that hit its bound").isEqualTo(StopSignals.UNCLEAN);
            // The bound is the 5 s grace + 1 s for the threads; the loop is blocked for 20 s.
            Duration bound = SampleLauncher.SHUTDOWN_GRACE.plus(GracefulStop.THREAD_BOUND);
            assertThat(took).as(sample.err().toString()).isLessThan(bound.plusSeconds(4));
            assertThat(sample.err()).anyMatch(line -> line.contains("still running") && line.contains("weft-http"))
                    .anyMatch(line -> line.contains("BlockRoute"))
                    .anyMatch(line -> line.contains("loop 'weft-http-") && line.contains("did not answer"));
        }
    }
}
