package io.weft.loop.vthreads;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.net.TcpOptions;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Blocking-style sockets over the TCP contract, on both carriers; run against every poller. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class BlockingSocketContract extends VThreadsFixture {

    /** A blocking echo server: one virtual thread accepts, one per connection echoes until EOF. */
    private BlockingServerSocket echoServer(VirtualThreads threads, EventLoop loop, TcpOptions options) throws IOException {
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), options));
        threads.start(() -> {
            while (true) {
                BlockingSocket socket;
                try {
                    socket = server.accept();
                } catch (IOException e) {
                    return; // closed
                }
                threads.start(socket.loop(), () -> echo(socket));
            }
        });
        return server;
    }

    /**
     * What {@link #echo} got instead of an EOF: a test whose peers all finish properly fails with
     * it, naming why the server side dropped a connection.
     */
    private final Queue<Throwable> echoFailures = new ConcurrentLinkedQueue<>();

    private void echo(BlockingSocket socket) {
        try (socket) {
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (socket.read(buffer.clear()) >= 0) {
                socket.write(buffer.flip());
            }
        } catch (IOException | RuntimeException e) {
            echoFailures.add(e);
        }
    }

    /** Fails if the echo server got anything but an EOF, with each exception attached. */
    private void assertEchoFailedNowhere(Throwable clientFailure) {
        if (clientFailure == null && echoFailures.isEmpty()) {
            return;
        }
        AssertionError failure = new AssertionError("the echo server got " + echoFailures
                + (clientFailure == null ? "" : " and a client failed: " + clientFailure), clientFailure);
        echoFailures.forEach(failure::addSuppressed);
        throw failure;
    }

    private static Socket jdkClient(BlockingServerSocket server) throws IOException {
        InetSocketAddress address = (InetSocketAddress) server.localAddress();
        Socket socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(30_000); // a broken test fails instead of hanging
        return socket;
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void fiveThousandThreadsEchoWithChecksumsThroughOneLoop(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket server = echoServer(threads, loop, TcpOptions.defaults().withBacklog(8192));
        int clients = 5_000;
        List<Spawned<Boolean>> spawned = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int seed = c;
            spawned.add(spawn(threads, () -> {
                byte[] payload = new byte[1000 + seed % 3000];
                new Random(seed).nextBytes(payload);
                CRC32 sent = new CRC32();
                sent.update(payload);
                try (BlockingSocket socket = BlockingSocket.connect(loop, server.localAddress(), TcpOptions.defaults())) {
                    socket.getOutputStream().write(payload);
                    socket.shutdownOutput();
                    byte[] echoed = socket.getInputStream().readAllBytes();
                    CRC32 received = new CRC32();
                    received.update(echoed);
                    return echoed.length == payload.length && received.getValue() == sent.getValue();
                }
            }));
        }

        Throwable firstClientFailure = null;
        int wrong = 0;
        for (Spawned<Boolean> client : spawned) {
            try {
                if (!client.join()) {
                    wrong++;
                }
            } catch (Throwable e) { // a reset, say: the server's side of it is in echoFailures
                firstClientFailure = firstClientFailure == null ? e : firstClientFailure;
            }
        }
        assertEchoFailedNowhere(firstClientFailure);
        assertThat(wrong).as("clients whose echo differed").isZero();
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void aStreamParserWorksUnchanged(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));

        Spawned<List<String>> parser = spawn(threads, () -> {
            List<String> messages = new ArrayList<>();
            try (BlockingSocket socket = server.accept()) {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                for (int length; (length = in.read()) >= 0; ) { // a one-byte length, then the bytes
                    byte[] message = new byte[length];
                    in.readFully(message);
                    messages.add(new String(message, StandardCharsets.UTF_8));
                }
            }
            return messages;
        });
        try (Socket client = jdkClient(server)) {
            OutputStream out = client.getOutputStream();
            for (String message : List.of("hello", "", "blocking", "world")) {
                byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
                out.write(bytes.length);
                for (byte b : bytes) {
                    out.write(b); // dribbled byte by byte: reads see short, split frames
                    out.flush();
                }
            }
        }

        assertThat(parser.join()).containsExactly("hello", "", "blocking", "world");
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void endOfStreamReadsMinusOneAndTheSocketCanStillWrite(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));

        Spawned<String> reader = spawn(threads, () -> {
            try (BlockingSocket socket = server.accept()) {
                byte[] all = socket.getInputStream().readAllBytes();
                int again = socket.read(ByteBuffer.allocate(1));
                int streamAgain = socket.getInputStream().read();
                socket.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
                return new String(all, StandardCharsets.US_ASCII) + " " + again + " " + streamAgain;
            }
        });
        try (Socket client = jdkClient(server)) {
            client.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("bye");
        }

        assertThat(reader.join()).isEqualTo("hi -1 -1");
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void aPeerResetIsConnectionReset(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));

        Spawned<Integer> reader = spawn(threads, () -> {
            try (BlockingSocket socket = server.accept()) {
                return socket.read(ByteBuffer.allocate(16));
            }
        });
        try (Socket client = jdkClient(server)) {
            awaitParked(reader.thread());
            client.setSoLinger(true, 0); // close sends RST
        }

        assertThat(reader.failure()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void aReadTimeoutThrowsAndLeavesTheSocketUsable(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));

        Spawned<String> reader = spawn(threads, () -> {
            try (BlockingSocket socket = server.accept()) {
                socket.setReadTimeout(Duration.ofMillis(20));
                String first;
                try {
                    socket.read(ByteBuffer.allocate(16));
                    first = "read";
                } catch (SocketTimeoutException e) {
                    first = e.getMessage();
                }
                socket.setReadTimeout(Duration.ZERO);
                socket.write(ByteBuffer.wrap(new byte[] {1})); // tell the client to send
                ByteBuffer buffer = ByteBuffer.allocate(16);
                socket.read(buffer);
                return first + " then " + buffer.flip().get();
            }
        });
        try (Socket client = jdkClient(server)) {
            assertThat(client.getInputStream().read()).isEqualTo(1);
            client.getOutputStream().write(42);
            assertThat(reader.join()).isEqualTo("Read timed out then 42");
        }
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void closeFromAnotherThreadWakesAParkedReader(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));

        try (Socket client = jdkClient(server)) {
            BlockingSocket socket = server.accept();
            Spawned<Integer> reader = spawn(threads, () -> socket.read(ByteBuffer.allocate(16)));
            awaitParked(reader.thread());
            socket.close();

            assertThat(reader.failure()).isInstanceOf(SocketException.class).hasMessage("Socket closed");
            assertThat(socket.isClosed()).isTrue();
            assertThat(client.getInputStream().read()).as("the peer sees the close").isEqualTo(-1);
        }
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void interruptClosesTheSocketAndThrowsClosedByInterrupt(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));

        try (Socket client = jdkClient(server)) {
            BlockingSocket socket = server.accept();
            Spawned<String> reader = spawn(threads, () -> {
                try {
                    socket.read(ByteBuffer.allocate(16));
                    return "read";
                } catch (SocketException e) {
                    return e.getMessage() + ", interrupted " + Thread.currentThread().isInterrupted();
                }
            });
            awaitParked(reader.thread());
            reader.thread().interrupt();

            assertThat(reader.join()).isEqualTo("Closed by interrupt, interrupted true");
            assertThat(socket.isClosed()).isTrue();
            InputStream in = client.getInputStream();
            try {
                assertThat(in.read()).isEqualTo(-1);
            } catch (SocketException reset) {
                assertThat(reset).hasMessageContaining("reset"); // aborted: the peer may see a reset instead
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void aWriterParksAtTheHighWatermarkAndQueuesNoMore(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        int low = 8 * 1024;
        int high = 16 * 1024;
        TcpOptions options = TcpOptions.defaults().withWriteWatermarks(low, high).withBufferSizes(4096, 4096);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), options));
        byte[] payload = new byte[8 * 1024 * 1024];
        new Random(7).nextBytes(payload);
        CRC32 sent = new CRC32();
        sent.update(payload);

        try (Socket client = jdkClient(server)) {
            BlockingSocket socket = server.accept();
            Spawned<Boolean> writer = spawn(threads, () -> {
                try (socket) {
                    socket.write(ByteBuffer.wrap(payload));
                }
                return true;
            });
            awaitTrue(() -> socket.queuedBytes().join() >= low, "the writer fills the queue"); // the client reads nothing yet
            awaitParked(writer.thread());
            for (int i = 0; i < 10; i++) {
                assertThat(socket.queuedBytes().get(30, TimeUnit.SECONDS)).isLessThanOrEqualTo(high + 1L);
            }
            assertThat(writer.outcome()).isNotDone();

            CRC32 received = new CRC32();
            byte[] echoed = client.getInputStream().readAllBytes();
            received.update(echoed);
            assertThat(writer.join()).isTrue();
            assertThat(echoed).hasSize(payload.length);
            assertThat(received.getValue()).isEqualTo(sent.getValue());
        }
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void manySmallWritesStayBelowTheWatermarkAndArriveInOrder(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        int high = 16 * 1024;
        TcpOptions options = TcpOptions.defaults().withWriteWatermarks(8 * 1024, high).withBufferSizes(4096, 4096);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), options));
        byte[] payload = new byte[4 * 1024 * 1024];
        new Random(11).nextBytes(payload);

        try (Socket client = jdkClient(server)) {
            BlockingSocket socket = server.accept();
            Spawned<Boolean> writer = spawn(threads, () -> {
                try (socket) {
                    OutputStream out = socket.getOutputStream();
                    for (int offset = 0; offset < payload.length; offset += 1000) {
                        out.write(payload, offset, Math.min(1000, payload.length - offset));
                    }
                }
                return true;
            });
            awaitTrue(() -> socket.queuedBytes().join() > 0, "the writer fills the queue");
            for (int i = 0; i < 10; i++) {
                assertThat(socket.queuedBytes().get(30, TimeUnit.SECONDS)).isLessThanOrEqualTo(high + 1L);
            }
            assertThat(client.getInputStream().readAllBytes()).isEqualTo(payload);
            assertThat(writer.join()).isTrue();
        }
    }

    @Test
    void aLoopCarriedWriteReachesThePeerWithoutGivingTheLoopBack() throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.LOOP);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));
        java.util.concurrent.atomic.AtomicBoolean received = new java.util.concurrent.atomic.AtomicBoolean();

        try (Socket client = jdkClient(server)) {
            Spawned<Boolean> writer = spawn(threads, () -> {
                try (BlockingSocket socket = server.accept()) {
                    // accept() may have resumed this thread inside the connection's own onOpen,
                    // where the connection defers flushing to the end of the handler (that is, to
                    // this thread's next park). Take a turn as a plain callback first.
                    Thread.yield();
                    socket.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
                    // Hold the loop thread (no park, no yield): the bytes must already be on their
                    // way, not waiting for a loop callback to flush them.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (!received.get() && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    return received.get();
                }
            });

            byte[] hello = client.getInputStream().readNBytes(5);
            received.set(true);
            assertThat(new String(hello, StandardCharsets.US_ASCII)).isEqualTo("hello");
            assertThat(writer.join()).isTrue();
        }
    }

    /** Pool-carried: a loop-carried reader parks on its connection's watcher, which the snapshot lists instead. */
    @Test
    void aPoolCarriedThreadParkedInAReadIsListedInTheLoopSnapshot() throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.POOL);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));

        try (Socket client = jdkClient(server)) {
            BlockingSocket socket = closeLater(spawn(threads, server::accept).join());
            Spawned<Integer> reader = spawn(threads, () -> socket.read(ByteBuffer.allocate(1)));
            awaitParked(reader.thread());
            awaitTrue(() -> ParkedThreads.of(loop).size() == 1, "the reader is known to the loop as parked");

            io.weft.loop.core.LoopSnapshot snapshot = loop.view().snapshot(java.time.Duration.ofSeconds(30));

            assertThat(snapshot.answered()).isTrue();
            assertThat(snapshot.sections().get(ParkedThreads.SECTION)).singleElement().asString()
                    .matches("VirtualThread\\[#" + reader.thread().threadId() + "[,\\]].*");
            client.getOutputStream().write(1);
            assertThat(reader.join()).isEqualTo(1);
            assertThat(loop.view().snapshot(java.time.Duration.ofSeconds(30)).sections().get(ParkedThreads.SECTION))
                    .isEmpty();
        }
    }

    @Test
    void blockingSocketCallsOnTheLoopThreadItselfFailFast() throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.LOOP);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));

        try (Socket client = jdkClient(server)) {
            client.getOutputStream().write(1); // something to read: the read must fail all the same
            BlockingSocket socket = closeLater(spawn(threads, server::accept).join());
            java.util.concurrent.CompletableFuture<List<Throwable>> seen = new java.util.concurrent.CompletableFuture<>();
            loop.execute(() -> {
                List<Throwable> failures = new ArrayList<>();
                for (ThrowingRunnable call : List.<ThrowingRunnable>of(
                        () -> socket.read(ByteBuffer.allocate(1)),
                        () -> socket.write(ByteBuffer.wrap(new byte[] {1})),
                        socket::shutdownOutput)) {
                    try {
                        call.run();
                        failures.add(null);
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
                seen.complete(failures);
            });

            assertThat(seen.get(30, TimeUnit.SECONDS)).hasSize(3).allSatisfy(e -> assertThat(e)
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("would block the thread of loop"));
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void writingAfterShutdownOutputFails(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));

        try (Socket client = jdkClient(server)) {
            Spawned<Object> writer = spawn(threads, () -> {
                try (BlockingSocket socket = server.accept()) {
                    socket.write(ByteBuffer.wrap(new byte[] {1, 2}));
                    socket.shutdownOutput();
                    socket.write(ByteBuffer.wrap(new byte[] {3}));
                    return "wrote";
                }
            });

            assertThat(writer.failure()).isInstanceOf(SocketException.class).hasMessage("Socket output is shutdown");
            assertThat(client.getInputStream().readAllBytes()).containsExactly(1, 2);
        }
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void closeAndWriteTimeoutWakeAParkedWriter(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        TcpOptions options = TcpOptions.defaults().withWriteWatermarks(1024, 4096).withBufferSizes(4096, 4096);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), options));

        try (Socket _ = jdkClient(server); Socket _ = jdkClient(server)) {
            BlockingSocket closed = server.accept();
            BlockingSocket timed = server.accept();
            timed.setWriteTimeout(Duration.ofMillis(20));
            Spawned<Object> closedWriter = spawn(threads, () -> {
                closed.write(ByteBuffer.allocate(8 * 1024 * 1024));
                return "wrote";
            });
            Spawned<Object> timedWriter = spawn(threads, () -> {
                timed.write(ByteBuffer.allocate(8 * 1024 * 1024));
                return "wrote";
            });
            awaitParked(closedWriter.thread());
            closed.close();

            assertThat(closedWriter.failure()).isInstanceOf(SocketException.class).hasMessage("Socket closed");
            assertThat(timedWriter.failure()).isInstanceOf(SocketTimeoutException.class);
            timed.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void acceptParksAndWakesOnCloseTimeoutAndInterrupt(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket closedServer = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));
        BlockingServerSocket timedServer = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));
        BlockingServerSocket interruptedServer = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));
        timedServer.setAcceptTimeout(Duration.ofMillis(20));

        Spawned<BlockingSocket> closed = spawn(threads, closedServer::accept);
        Spawned<BlockingSocket> timed = spawn(threads, timedServer::accept);
        Spawned<BlockingSocket> interrupted = spawn(threads, interruptedServer::accept);
        awaitParked(closed.thread());
        awaitParked(interrupted.thread());
        closedServer.close();
        interrupted.thread().interrupt();

        assertThat(closed.failure()).isInstanceOf(SocketException.class).hasMessage("Socket closed");
        assertThat(timed.failure()).isInstanceOf(SocketTimeoutException.class);
        assertThat(interrupted.failure()).isInstanceOf(SocketException.class).hasMessage("Closed by interrupt");
        assertThat(interruptedServer.isClosed()).isTrue();
        assertThat(timedServer.isClosed()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void shutdownWakesParkedReadersWritersAcceptorsAndSleepers(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        TcpOptions options = TcpOptions.defaults().withWriteWatermarks(1024, 4096).withBufferSizes(4096, 4096);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), options));

        try (Socket _ = jdkClient(server); Socket _ = jdkClient(server)) {
            BlockingSocket readSocket = server.accept();
            BlockingSocket writeSocket = server.accept();
            Spawned<Object> reader = spawn(threads, () -> readSocket.read(ByteBuffer.allocate(16)));
            Spawned<Object> writer = spawn(threads, () -> {
                writeSocket.write(ByteBuffer.allocate(8 * 1024 * 1024));
                return "wrote";
            });
            Spawned<Object> acceptor = spawn(threads, server::accept);
            Spawned<Object> sleeper = spawn(threads, () -> {
                VirtualThreads.sleep(Duration.ofHours(1));
                return "slept";
            });
            for (Spawned<Object> parked : List.of(reader, writer, acceptor, sleeper)) {
                awaitParked(parked.thread());
            }
            loop.shutdownGracefully(Duration.ZERO).get(30, TimeUnit.SECONDS);

            assertThat(reader.failure()).isInstanceOf(SocketException.class).hasMessageContaining("has shut down");
            assertThat(writer.failure()).isInstanceOf(SocketException.class).hasMessageContaining("has shut down");
            assertThat(acceptor.failure()).isInstanceOf(SocketException.class).hasMessageContaining("has shut down");
            assertThat(sleeper.failure()).isInstanceOf(RejectedExecutionException.class);
            // and nothing parks later either
            Spawned<Object> late = spawn(threads, () -> readSocket.read(ByteBuffer.allocate(16)));
            assertThat(late.failure()).isInstanceOf(SocketException.class);
        }
    }

    /**
     * The reliability run's deadlock: a loop handing an accepted connection to the acceptors waited
     * on their lock while a thread that loop carries was queued for the same lock (behind a thread
     * on another core), so the carried thread could never run and the loop never went on. Here one
     * loop-carried and pool acceptors, many of each, share one server under a burst of connects, with a short
     * accept timeout that sends them round again and again: the hand-over must never wait for any of
     * them, and every connection is served. Before the fix the loop stalled within the burst.
     */
    @Test
    void aBurstOfConnectsWithAcceptorsOnAndOffTheLoopNeverStallsTheLoop() throws Exception {
        EventLoop loop = loop();
        VirtualThreads carried = VirtualThreads.forLoop(loop, Carrier.LOOP);
        VirtualThreads pooled = VirtualThreads.forLoop(loop, Carrier.POOL);
        assertThat(carried.carrier()).as("the loop carries the acceptor (else this tests the pool)").isEqualTo(Carrier.LOOP);
        int connects = 5_000;
        BlockingServerSocket server = closeLater(
                BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults().withBacklog(connects)));
        server.setAcceptTimeout(Duration.ofMillis(1));
        Runnable acceptor = () -> {
            while (!server.isClosed()) {
                try {
                    BlockingSocket socket = server.accept();
                    carried.start(socket.loop(), () -> echo(socket));
                } catch (SocketTimeoutException e) {
                    // round again: a timed-out acceptor leaves the queue and joins it anew
                } catch (IOException e) {
                    return; // closed
                }
            }
        };
        for (int i = 0; i < 16; i++) {
            carried.start(acceptor);
        }
        for (int i = 0; i < 64; i++) {
            pooled.start(acceptor);
        }

        List<java.util.concurrent.Future<Integer>> clients = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(64)) {
            for (int i = 0; i < connects; i++) {
                int value = i & 0x7f;
                clients.add(pool.submit(() -> {
                    try (Socket client = jdkClient(server)) {
                        client.getOutputStream().write(value);
                        return client.getInputStream().read();
                    }
                }));
            }
            for (int i = 0; i < connects; i++) {
                assertThat(clients.get(i).get(60, TimeUnit.SECONDS)).as("connection %d echoed", i).isEqualTo(i & 0x7f);
            }
        }
        java.util.concurrent.CompletableFuture<String> alive = new java.util.concurrent.CompletableFuture<>();
        loop.execute(() -> alive.complete("alive"));
        assertThat(alive.get(30, TimeUnit.SECONDS)).as("the loop still runs callbacks").isEqualTo("alive");
    }

    @Test
    void aGroupServerServesEachSocketOnItsOwnLoop() throws Exception {
        var group = group(2);
        VirtualThreads threads = VirtualThreads.forGroup(group, Carrier.LOOP);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(group, loopback(), TcpOptions.defaults()));
        threads.start(() -> {
            while (true) {
                try {
                    BlockingSocket socket = server.accept();
                    threads.start(socket.loop(), () -> echo(socket));
                } catch (IOException e) {
                    return;
                }
            }
        });

        for (int i = 0; i < 20; i++) {
            try (Socket client = jdkClient(server)) {
                DataOutputStream out = new DataOutputStream(client.getOutputStream());
                out.writeLong(i);
                assertThat(new DataInputStream(client.getInputStream()).readLong()).isEqualTo(i);
            }
        }
    }
}
