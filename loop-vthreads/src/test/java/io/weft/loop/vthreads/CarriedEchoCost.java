package io.weft.loop.vthreads;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a test of speed: a measurement. Request/response round trips through a blocking-style echo
 * server whose virtual threads the loop carries ({@link Carrier#LOOP}), driven by a plain JDK
 * client socket on a platform thread. Reports the loop thread's CPU time and allocation per round
 * trip (the loop thread carries the server's virtual threads, so their work counts there). With
 * {@code -Dweft.cost.resume=true} the server's connection waits for each request with no thread
 * ({@link BlockingSocket#resumeOnInput}): a fresh virtual thread per round trip.
 *
 * <pre>
 * ./mvnw -B -q -pl loop-vthreads -am verify -Dtest=CarriedEchoCost -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dweft.cost=true [-Dweft.cost.n=100000] [-Dweft.cost.size=64] [-Dweft.cost.resume=true]
 * </pre>
 *
 * Also runnable as a main on the test class path (with {@code --add-opens java.base/java.lang=ALL-UNNAMED}).
 */
@EnabledIfSystemProperty(named = "weft.cost", matches = "true")
class CarriedEchoCost {

    @Test
    void measure() throws Exception {
        main(new String[0]);
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("weft.cost.n", 100_000);
        int size = Integer.getInteger("weft.cost.size", 64);
        int rounds = Integer.getInteger("weft.cost.rounds", 3);
        boolean resume = Boolean.getBoolean("weft.cost.resume");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (LoopGroup group = LoopGroup.builder().size(1).name("cost").poller("nio").build()) {
            EventLoop loop = group.loops().get(0);
            VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.LOOP);
            if (threads.carrier() != Carrier.LOOP) {
                throw new IllegalStateException("no loop carrier: run with --add-opens java.base/java.lang=ALL-UNNAMED");
            }
            CompletableFuture<Long> loopThreadId = new CompletableFuture<>();
            loop.execute(() -> loopThreadId.complete(Thread.currentThread().threadId()));
            long tid = loopThreadId.get(10, TimeUnit.SECONDS);

            BlockingServerSocket server = BlockingServerSocket.listen(loop,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TcpOptions.defaults());
            threads.start(() -> {
                try {
                    while (true) {
                        BlockingSocket socket = server.accept();
                        if (resume) {
                            socket.resumeOnInput(threads, new ResumingEcho(socket, threads));
                        } else {
                            threads.start(loop, () -> echo(socket));
                        }
                    }
                } catch (IOException e) {
                    // server closed
                }
            });

            try (Socket client = new Socket()) {
                client.setTcpNoDelay(true);
                client.connect(server.localAddress());
                OutputStream out = client.getOutputStream();
                InputStream in = client.getInputStream();
                byte[] request = new byte[size];
                byte[] response = new byte[size];
                roundTrips(out, in, request, response, n / 2); // warm up
                System.out.printf("CarriedEchoCost: carrier=%s%s, %d-byte request/response, %d round trips per run%n",
                        threads.carrier(), resume ? " (resumeOnInput)" : "", size, n);
                for (int r = 0; r < rounds; r++) {
                    long callbacks0 = loop.stats().callbacksRun();
                    long iterations0 = loop.stats().iterations();
                    long cpu0 = mx.getThreadCpuTime(tid);
                    long alloc0 = mx.getThreadAllocatedBytes(tid);
                    long wall0 = System.nanoTime();
                    roundTrips(out, in, request, response, n);
                    long wall = System.nanoTime() - wall0;
                    long cpu = mx.getThreadCpuTime(tid) - cpu0;
                    long alloc = mx.getThreadAllocatedBytes(tid) - alloc0;
                    double callbacks = (double) (loop.stats().callbacksRun() - callbacks0) / n;
                    double iterations = (double) (loop.stats().iterations() - iterations0) / n;
                    System.out.printf("  run %d: loop CPU %.2f us/rt, loop alloc %.0f B/rt, wall %.2f us/rt,"
                            + " loop callbacks %.2f/rt, loop iterations %.2f/rt%n",
                            r, cpu / 1e3 / n, (double) alloc / n, wall / 1e3 / n, callbacks, iterations);
                }
            }
            server.close();
        }
    }

    private static void roundTrips(OutputStream out, InputStream in, byte[] request, byte[] response, int n)
            throws IOException {
        for (int i = 0; i < n; i++) {
            request[0] = (byte) i;
            out.write(request);
            int got = 0;
            while (got < response.length) {
                int k = in.read(response, got, response.length - got);
                if (k < 0) {
                    throw new IOException("EOF after " + i + " round trips");
                }
                got += k;
            }
            if (response[0] != (byte) i) {
                throw new IOException("bad echo at " + i);
            }
        }
    }

    /** The echo of one connection that waits for each request with no thread. */
    private record ResumingEcho(BlockingSocket socket, VirtualThreads threads, ByteBuffer buffer) implements Runnable {
        ResumingEcho(BlockingSocket socket, VirtualThreads threads) {
            this(socket, threads, ByteBuffer.allocate(16 * 1024));
        }

        @Override
        public void run() {
            try {
                do {
                    if (socket.read(buffer.clear()) < 0) {
                        socket.close();
                        return;
                    }
                    socket.write(buffer.flip());
                } while (socket.getInputStream().available() > 0);
                socket.resumeOnInput(threads, this);
            } catch (IOException e) {
                socket.close(); // client gone
            }
        }
    }

    private static void echo(BlockingSocket socket) {
        try (socket) {
            ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
            while (socket.read(buffer.clear()) >= 0) {
                socket.write(buffer.flip());
            }
        } catch (IOException e) {
            // client gone
        }
    }
}
