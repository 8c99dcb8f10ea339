package io.weft.loop.vthreads;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.net.TcpOptions;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No byte of one connection reaches another (issue 10, defect 1): many short connections at once,
 * each served by a fresh virtual thread that the epoll loop carries, each writing a pattern only its
 * connection can have, in writes of many sizes. Every client must read exactly its own pattern, all
 * of it, then end of stream: a lost, truncated, repeated or foreign byte fails it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EpollCarriedIsolationTest extends VThreadsFixture {
    private static final int CONNECTIONS = 2_000;
    private static final int AT_ONCE = 200;
    private static final int WRITES = 24;

    @Override
    protected String pollerName() {
        return "epoll";
    }

    @Test
    void manyShortConnectionsOnLoopCarriedThreadsEachGetTheirOwnBytesAndNothingElse() throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.LOOP);
        assertThat(threads.carrier()).as("the loop carries the threads (else this tests the pool)").isEqualTo(Carrier.LOOP);
        BlockingServerSocket server = closeLater(
                BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults().withBacklog(4096)));
        threads.start(() -> server.serve(threads, EpollCarriedIsolationTest::serveOwnPattern));

        List<Future<Integer>> clients = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(AT_ONCE)) {
            for (int id = 0; id < CONNECTIONS; id++) {
                int connection = id;
                clients.add(pool.submit((Callable<Integer>) () -> readOwnPattern((InetSocketAddress) server.localAddress(), connection)));
            }
            for (int id = 0; id < CONNECTIONS; id++) {
                assertThat(clients.get(id).get(120, TimeUnit.SECONDS)).as("bytes connection %d received", id)
                        .isEqualTo(patternLength(id));
            }
        }
    }

    /** Reads the client's id, answers with that id's pattern in {@link #WRITES} writes, and closes. */
    private static void serveOwnPattern(BlockingSocket socket) {
        try (socket) {
            int id = new DataInputStream(socket.getInputStream()).readInt();
            int offset = 0;
            for (int w = 0; w < WRITES; w++) {
                int size = writeSize(id, w);
                ByteBuffer chunk = ByteBuffer.allocate(size);
                for (int i = 0; i < size; i++) {
                    chunk.put(patternByte(id, offset + i));
                }
                socket.write(chunk.flip());
                offset += size;
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int readOwnPattern(InetSocketAddress server, int id) throws IOException {
        try (Socket socket = new Socket(server.getAddress(), server.getPort())) {
            socket.setSoTimeout(60_000);
            new DataOutputStream(socket.getOutputStream()).writeInt(id);
            InputStream in = socket.getInputStream();
            int length = patternLength(id);
            byte[] got = in.readNBytes(length);
            if (got.length < length) {
                throw new EOFException("connection " + id + ": " + got.length + " of " + length + " bytes, then the end");
            }
            for (int i = 0; i < length; i++) {
                if (got[i] != patternByte(id, i)) {
                    throw new AssertionError("connection " + id + ": byte " + i + " is " + got[i] + ", expected "
                            + patternByte(id, i) + " (a foreign or shifted byte)");
                }
            }
            int extra = in.read();
            if (extra != -1) {
                throw new AssertionError("connection " + id + ": a byte past its pattern: " + extra);
            }
            return length;
        }
    }

    /** From 1 byte to past a 16 KiB outbound chunk, different for each connection and write. */
    private static int writeSize(int id, int write) {
        return 1 + (id * 131 + write * 977) % 20_000;
    }

    private static int patternLength(int id) {
        int total = 0;
        for (int w = 0; w < WRITES; w++) {
            total += writeSize(id, w);
        }
        return total;
    }

    /** A byte that depends on the connection and the offset: another connection's bytes differ. */
    private static byte patternByte(int id, int offset) {
        return (byte) (id * 31 + offset * 7 + (offset >>> 8) * 13);
    }
}
