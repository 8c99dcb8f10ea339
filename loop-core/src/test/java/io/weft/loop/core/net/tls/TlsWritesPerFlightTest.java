package io.weft.loop.core.net.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How many socket writes TLS makes, counted on the server's real sockets ({@link CountingNio}): a
 * TLS 1.3 handshake flight (ServerHello, ChangeCipherSpec, the encrypted messages) leaves in one
 * write, not one per record; a large write leaves two full records per socket write; and whatever
 * the write sizes, inside {@code onRead} (gathered) or outside (encrypted at once), with or without
 * a completion, the peer reads every byte once and in order.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsWritesPerFlightTest {
    /** Large enough that the kernel takes every write whole: a partial write would add writes to the counts. */
    private static final TcpOptions OPTIONS = TcpOptions.defaults().withBufferSizes(1 << 20, 1 << 20);

    @TempDir
    static Path dir;
    private static SelfSignedCertificate certificate;

    @BeforeAll
    static void selfSignedCertificate() throws Exception {
        certificate = new SelfSignedCertificate(dir);
    }

    @BeforeEach
    void forgetEarlierSockets() {
        CountingNio.ACCEPTED_WRITES.clear();
    }

    private static SSLSocket client(TlsServer server) throws Exception {
        return certificate.client(((InetSocketAddress) server.localAddress()).getPort());
    }

    private static LoopGroup group() {
        return LoopGroup.builder().size(1).name("tls-writes").poller(CountingNio.NAME).build();
    }

    private static TlsServer listen(LoopGroup group, TlsHandler handler) throws IOException {
        return TlsServer.listen(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), OPTIONS, certificate.serverConfig("TLSv1.3").build(),
                () -> handler);
    }

    @Test
    void theServersTls13FlightLeavesInOneWrite() throws Exception {
        CompletableFuture<Integer> writesAtOpen = new CompletableFuture<>();
        try (LoopGroup group = group();
                TlsServer server = listen(group, new TlsHandler() {
                    @Override
                    public void onOpen(TlsConnection connection) {
                        // Before this: the flight only (the session ticket goes out after the read that opened it).
                        writesAtOpen.complete(CountingNio.ACCEPTED_WRITES.peek().get());
                    }

                    @Override
                    public void onRead(TlsConnection connection, ByteBuffer data) {
                        data.position(data.limit());
                    }
                });
                SSLSocket socket = client(server)) {
            socket.startHandshake();
            assertThat(writesAtOpen.get(10, TimeUnit.SECONDS)).as("socket writes of the server's first flight").isEqualTo(1);
        }
    }

    @Test
    void aLargeWriteLeavesTwoFullRecordsPerSocketWrite() throws Exception {
        int size = 4 * 16 * 1024 + 100; // four full records and a short one
        CompletableFuture<Integer> writesOfTheWrite = new CompletableFuture<>();
        try (LoopGroup group = group();
                TlsServer server = listen(group, (connection, data) -> {
                    data.position(data.limit());
                    connection.loop().execute(() -> { // outside TCP's callbacks: TCP writes at once
                        AtomicInteger writes = CountingNio.ACCEPTED_WRITES.peek();
                        int before = writes.get();
                        connection.write(pattern(0, size));
                        writesOfTheWrite.complete(writes.get() - before);
                    });
                });
                SSLSocket socket = client(server)) {
            socket.getOutputStream().write('w');
            socket.getOutputStream().flush();
            assertPattern(socket.getInputStream(), 0, size);
            assertThat(writesOfTheWrite.get(10, TimeUnit.SECONDS)).as("socket writes for five records").isEqualTo(3);
        }
    }

    @Test
    void writesOfEverySizeInsideAndOutsideOnReadArriveWholeAndInOrder() throws Exception {
        int[] sizes = {1, 100, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 40_000, 70_000, 5, 33 * 1024, 3};
        int total = 0;
        for (int size : sizes) {
            total += size;
        }
        int all = total;
        LinkedBlockingQueue<Object> completions = new LinkedBlockingQueue<>();
        try (LoopGroup group = group();
                TlsServer server = listen(group, (connection, data) -> {
                    data.position(data.limit());
                    int half = sizes.length / 2;
                    int offset = writeAll(connection, sizes, 0, half, 0, completions); // gathered while onRead runs
                    // then outside onRead: encrypted at once, behind everything written before
                    connection.loop().execute(() -> writeAll(connection, sizes, half, sizes.length, offset, completions));
                });
                SSLSocket socket = client(server)) {
            OutputStream out = socket.getOutputStream();
            out.write('w');
            out.flush();
            assertPattern(socket.getInputStream(), 0, all);
            for (int i = 0; i < sizes.length / 2; i++) {
                assertThat(completions.poll(10, TimeUnit.SECONDS)).isEqualTo("sent");
            }
        }
    }

    /** Writes the pattern's chunks {@code from} to {@code to} from {@code offset}, every other one with a completion; returns the offset after. */
    private static int writeAll(TlsConnection connection, int[] sizes, int from, int to, int offset,
            LinkedBlockingQueue<Object> completions) {
        for (int i = from; i < to; i++) {
            ByteBuffer chunk = pattern(offset, sizes[i]);
            offset += sizes[i];
            if (i % 2 == 0) {
                connection.write(chunk);
            } else {
                connection.write(chunk, failure -> completions.add(failure == null ? "sent" : failure));
            }
        }
        return offset;
    }

    /** {@code length} bytes of the stream whose byte {@code i} is {@code (byte) (i * 7 + i / 251)}, from {@code offset}. */
    private static ByteBuffer pattern(int offset, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = at(offset + i);
        }
        return ByteBuffer.wrap(bytes);
    }

    private static byte at(int index) {
        return (byte) (index * 7 + index / 251);
    }

    private static void assertPattern(InputStream in, int offset, int length) throws IOException {
        byte[] read = in.readNBytes(length);
        assertThat(read).hasSize(length);
        for (int i = 0; i < length; i++) {
            if (read[i] != at(offset + i)) {
                throw new AssertionError("byte " + (offset + i) + " is " + read[i] + ", expected " + at(offset + i));
            }
        }
    }
}
