package io.weft.loop.core.net.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * While the engine's delegated tasks run, the connection unwraps nothing, yet TCP goes on reading
 * (the poller is not changed for a peer that waits for the answer): records that arrive meanwhile
 * are kept, TCP stops reading then, and they are unwrapped once the tasks are done.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsDelegatedTasksTest {
    @TempDir
    static Path dir;
    private static SelfSignedCertificate certificate;

    @BeforeAll
    static void selfSignedCertificate() throws Exception {
        certificate = new SelfSignedCertificate(dir);
    }

    /** The client's bytes, held here until the test lets them go to the socket. */
    private static final class Gate extends OutputStream {
        private final ByteArrayOutputStream held = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            held.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            held.write(b, off, len);
        }

        synchronized byte[] bytes() {
            return held.toByteArray();
        }

        /** Takes the first {@code n} bytes held. */
        synchronized byte[] take(int n) {
            byte[] all = held.toByteArray();
            held.reset();
            held.write(all, n, all.length - n);
            return Arrays.copyOf(all, n);
        }
    }

    /** A client socket whose writes the gate holds; {@link #wire()} writes to the peer. */
    private static final class GatedSocket extends Socket {
        final Gate gate = new Gate();

        GatedSocket(int port) throws IOException {
            super(InetAddress.getLoopbackAddress(), port);
        }

        @Override
        public OutputStream getOutputStream() {
            return gate;
        }

        OutputStream wire() throws IOException {
            return super.getOutputStream();
        }
    }

    /** The lengths of the whole TLS records at the start of {@code bytes}, and their content types. */
    private static int[][] records(byte[] bytes) {
        List<int[]> records = new ArrayList<>();
        for (int at = 0; at + 5 <= bytes.length; ) {
            int length = 5 + ((bytes[at + 3] & 0xff) << 8 | bytes[at + 4] & 0xff);
            if (at + length > bytes.length) {
                break;
            }
            records.add(new int[] {bytes[at], length});
            at += length;
        }
        return records.toArray(int[][]::new);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    @Test
    void recordsArrivingWhileTheTasksRunAreReadKeptAndUnwrappedAfterThem() throws Exception {
        LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
        TlsConfig config = certificate.serverConfig("TLSv1.2").delegatedTaskExecutor(tasks::add).build();
        try (LoopGroup group = LoopGroup.builder().size(1).name("tls-tasks").poller("nio").build();
                TlsServer server = TlsServer.listen(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        TcpOptions.defaults(), config, () -> (connection, data) -> connection.write(data))) {
            EventLoop loop = group.next();
            GatedSocket raw = new GatedSocket(((InetSocketAddress) server.localAddress()).getPort());
            Gate gate = raw.gate;
            OutputStream wire = raw.wire();
            try (SSLSocket client = certificate.client(raw)) {
                CompletableFuture<Void> handshake = CompletableFuture.runAsync(() -> {
                    try {
                        client.startHandshake();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }, Thread::startVirtualThread);

                // ClientHello: the server's first task, run at once.
                await("the client sent its ClientHello", () -> records(gate.bytes()).length == 1);
                wire.write(gate.take(gate.bytes().length));
                tasks.poll(10, TimeUnit.SECONDS).run();

                // The client's second flight: ClientKeyExchange, ChangeCipherSpec, Finished.
                await("the client sent its second flight", () -> records(gate.bytes()).length >= 3);
                int[][] flight = records(gate.bytes());
                assertThat(flight[1][0]).as("ChangeCipherSpec").isEqualTo(20);
                long readBefore = TcpStats.of(loop).bytesRead();
                wire.write(gate.take(flight[0][1])); // ClientKeyExchange alone: the server's second task
                Runnable keyExchange = tasks.poll(10, TimeUnit.SECONDS);
                assertThat(keyExchange).isNotNull();

                byte[] rest = gate.take(gate.bytes().length); // ChangeCipherSpec and Finished, while that task waits
                wire.write(rest);
                long expected = readBefore + flight[0][1] + rest.length;
                await("the server read them while the task waits", () -> TcpStats.of(loop).bytesRead() == expected);
                assertThat(handshake).isNotDone();

                keyExchange.run();
                Thread later = Thread.startVirtualThread(() -> { // any task after these runs as it comes
                    try {
                        for (;;) {
                            tasks.take().run();
                        }
                    } catch (InterruptedException closing) {
                        // the test is over
                    }
                });
                handshake.get(10, TimeUnit.SECONDS);
                // From here on the client's writes go straight out.
                client.getOutputStream().write("after\n".getBytes(StandardCharsets.UTF_8));
                wire.write(gate.take(gate.bytes().length));
                assertThat(new String(client.getInputStream().readNBytes(6), StandardCharsets.UTF_8)).isEqualTo("after\n");
                later.interrupt();
            }
        }
    }
}
