package io.weft.samples.echo;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.samples.SampleLauncher;
import io.weft.loop.core.net.TcpStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The echo sample end to end, callback style: large streams with checksums, slow readers, idle timeout. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoServerTest {
    private LoopGroup group;
    private SampleLauncher.Listener server;

    private InetSocketAddress start(Duration idleTimeout) throws IOException {
        group = LoopGroup.builder().size(2).name("echo-test").poller("nio").build();
        server = listen(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), idleTimeout);
        return (InetSocketAddress) server.localAddress();
    }

    /** The server under test: the callback style here. */
    SampleLauncher.Listener listen(LoopGroup group, InetSocketAddress address, Duration idleTimeout) throws IOException {
        return EchoServer.listen(group, address, idleTimeout);
    }

    @AfterEach
    void closeEverything() {
        if (server != null) {
            server.close();
        }
        if (group != null) {
            group.close();
            for (EventLoop loop : group) {
                assertThat(TcpStats.of(loop).openConnections()).as("connections left open").isZero();
                assertThat(loop.stats().liveWatchers()).as("watchers left open").isZero();
            }
        }
    }

    /** Sends {@code size} seeded random bytes, reads the echo after {@code readDelayMillis}; returns both checksums. */
    private static long[] roundTrip(InetSocketAddress address, int size, long seed, long readDelayMillis)
            throws Exception {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(20_000);
            CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> {
                CRC32 crc = new CRC32();
                Random random = new Random(seed);
                byte[] chunk = new byte[64 * 1024];
                try {
                    OutputStream out = socket.getOutputStream();
                    for (int left = size; left > 0; left -= chunk.length) {
                        random.nextBytes(chunk);
                        int n = Math.min(left, chunk.length);
                        crc.update(chunk, 0, n);
                        out.write(chunk, 0, n);
                    }
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
                return crc.getValue();
            });
            Thread.sleep(readDelayMillis);
            CRC32 crc = new CRC32();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[32 * 1024];
            long received = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                crc.update(buffer, 0, n);
                received += n;
            }
            assertThat(received).as("bytes echoed before the server closed").isEqualTo(size);
            return new long[] {sent.get(30, TimeUnit.SECONDS), crc.getValue()};
        }
    }

    @Test
    void echoesALargeStreamIntactAndClosesAtItsEnd() throws Exception {
        InetSocketAddress address = start(Duration.ZERO);
        long[] crcs = roundTrip(address, 32 << 20, 1, 0);
        assertThat(crcs[1]).isEqualTo(crcs[0]);
    }

    @Test
    void pausesReadingForASlowReaderWithoutLosingBytes() throws Exception {
        InetSocketAddress address = start(Duration.ZERO);
        long[] crcs = roundTrip(address, 8 << 20, 2, 500);
        assertThat(crcs[1]).isEqualTo(crcs[0]);
    }

    @Test
    void echoesManyClientsAtOnce() throws Exception {
        InetSocketAddress address = start(Duration.ZERO);
        List<CompletableFuture<long[]>> clients = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            long seed = 100 + i;
            clients.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return roundTrip(address, 1 << 20, seed, seed % 3 * 50);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, runnable -> Thread.ofPlatform().start(runnable)));
        }
        for (CompletableFuture<long[]> client : clients) {
            long[] crcs = client.get(50, TimeUnit.SECONDS);
            assertThat(crcs[1]).isEqualTo(crcs[0]);
        }
    }

    @Test
    void closesAnIdleConnection() throws Exception {
        InetSocketAddress address = start(Duration.ofMillis(200));
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }
}
