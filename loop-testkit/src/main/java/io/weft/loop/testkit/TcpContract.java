package io.weft.loop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.RunMode;
import io.weft.loop.core.net.CloseReason;
import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import io.weft.loop.core.net.TcpStats;
import io.weft.loop.core.net.WriteCompletion;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TCP contract, run against every backend: real sockets on loopback, real JDK clients. A
 * backend's test extends it and names its poller.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class TcpContract {
    /** For a subclass, which names the poller the suite runs on. */
    protected TcpContract() {
    }


    /** {@return the poller (and so the TCP backend) under test} */
    protected abstract String pollerName();

    private final List<LoopGroup> groups = new ArrayList<>();
    private final List<TcpServer> servers = new ArrayList<>();

    /**
     * {@return a group of {@code size} loops on {@link #pollerName()}, closed after the test}
     *
     * @param size how many loops
     */
    protected LoopGroup group(int size) {
        LoopGroup group = LoopGroup.builder().size(size).name("tcp-test").poller(pollerName()).build();
        groups.add(group);
        return group;
    }

    /**
     * {@link TcpServer#listen} on {@code group}, the server closed after the test.
     *
     * @param group the loops to serve on
     * @param address the address to bind
     * @param options the listener's and connections' options
     * @param handlers makes each connection's handler
     * @return the listening server
     * @throws IOException if the address cannot be bound
     */
    protected TcpServer listen(LoopGroup group, InetSocketAddress address, TcpOptions options,
            java.util.function.Supplier<ConnectionHandler> handlers) throws IOException {
        TcpServer server = TcpServer.listen(group, address, options, handlers);
        servers.add(server);
        return server;
    }

    /** {@return the loopback address with port 0 (an ephemeral port)} */
    protected static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterEach
    void closeEverything() {
        servers.forEach(TcpServer::close);
        for (LoopGroup group : groups) {
            group.close();
            for (EventLoop loop : group) {
                assertThat(loop.isClosed()).isTrue();
                assertThat(TcpStats.of(loop).openConnections()).as("connections left open").isZero();
                assertThat(loop.stats().liveWatchers()).as("watchers left open").isZero();
            }
        }
    }

    /** Echoes everything; respects backpressure by pausing reads while unwritable. */
    static final class EchoHandler implements ConnectionHandler {
        final AtomicLong maxQueued;
        final LinkedBlockingQueue<CloseReason> closes;

        EchoHandler(AtomicLong maxQueued, LinkedBlockingQueue<CloseReason> closes) {
            this.maxQueued = maxQueued;
            this.closes = closes;
        }

        @Override
        public void onRead(TcpConnection connection, ByteBuffer data) {
            connection.write(data);
            maxQueued.accumulateAndGet(connection.queuedBytes(), Math::max);
            if (!connection.isWritable()) {
                connection.pauseReading();
            }
        }

        @Override
        public void onWritabilityChanged(TcpConnection connection, boolean writable) {
            if (writable) {
                connection.resumeReading();
            }
        }

        @Override
        public void onClose(TcpConnection connection, CloseReason reason, Throwable cause) {
            closes.add(reason);
        }
    }

    private final AtomicLong maxQueued = new AtomicLong();
    private final LinkedBlockingQueue<CloseReason> closes = new LinkedBlockingQueue<>();

    private TcpServer echoServer(LoopGroup group, InetSocketAddress address, TcpOptions options) throws IOException {
        return listen(group, address, options, () -> new EchoHandler(maxQueued, closes));
    }

    private static Socket connect(TcpServer server) throws IOException {
        Socket socket = new Socket();
        socket.connect(server.localAddress(), 10_000);
        socket.setSoTimeout(60_000);
        return socket;
    }

    /** Sends {@code bytes} random bytes from one thread while this one reads the echo; returns both CRCs. */
    private static long[] echoRoundTrip(Socket socket, long bytes, int readDelayEveryMb) throws Exception {
        CRC32 sent = new CRC32();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                Random random = new Random(42);
                byte[] chunk = new byte[32 * 1024];
                for (long left = bytes; left > 0; left -= chunk.length) {
                    random.nextBytes(chunk);
                    int n = (int) Math.min(chunk.length, left);
                    sent.update(chunk, 0, n);
                    out.write(chunk, 0, n);
                }
                socket.shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        CRC32 received = new CRC32();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            received.update(buffer, 0, n);
            long before = total;
            total += n;
            if (readDelayEveryMb > 0 && before / (readDelayEveryMb << 20) != total / (readDelayEveryMb << 20)) {
                Thread.sleep(20); // a slow reader: the server must hold back, not buffer without bound
            }
        }
        writer.get(60, TimeUnit.SECONDS);
        assertThat(total).isEqualTo(bytes);
        return new long[] {sent.getValue(), received.getValue()};
    }

    @Test
    void aLargeStreamIsEchoedWithNothingLostOrReordered() throws Exception {
        LoopGroup group = group(1);
        TcpServer server = echoServer(group, loopback(), TcpOptions.defaults());
        try (Socket socket = connect(server)) {
            long[] crcs = echoRoundTrip(socket, 32L << 20, 0);
            assertThat(crcs[1]).isEqualTo(crcs[0]);
        }
        assertThat(closes.poll(10, TimeUnit.SECONDS)).isEqualTo(CloseReason.PEER_CLOSED);
        TcpStats stats = TcpStats.of(group.next());
        assertThat(stats.bytesRead()).isEqualTo(32L << 20);
        assertThat(stats.bytesWritten()).isEqualTo(32L << 20);
    }

    @Test
    void aSlowReaderIsServedWithBoundedMemoryAndNothingLost() throws Exception {
        TcpOptions options = TcpOptions.defaults().withWriteWatermarks(16 * 1024, 64 * 1024);
        TcpServer server = echoServer(group(1), loopback(), options);
        try (Socket socket = connect(server)) {
            long[] crcs = echoRoundTrip(socket, 16L << 20, 1);
            assertThat(crcs[1]).isEqualTo(crcs[0]);
        }
        // At most one read's worth past the high watermark: the handler pauses reading once above it.
        assertThat(maxQueued.get()).isLessThanOrEqualTo(64 * 1024 + 4 * 64 * 1024);
    }

    @Test
    void echoRoundTripsInSteadyStateAllocateNothingOnTheLoopThread() throws Exception {
        LoopGroup group = group(1);
        // With an idle timeout: every read and write refreshes the connection's idle timer.
        TcpServer server = echoServer(group, loopback(), TcpOptions.defaults().withIdleTimeout(Duration.ofMinutes(10)));
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (Socket socket = connect(server)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] request = new byte[100];
            byte[] reply = new byte[100];
            long loopThread = CompletableFuture.supplyAsync(() -> Thread.currentThread().threadId(), group.next()).get();
            // The least of several rounds: the JIT compiles the loop's path later on a busy machine.
            int roundTrips = 5_000;
            long perRoundTrip = Long.MAX_VALUE;
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (int round = 0; perRoundTrip > 0 && (round < 10 || System.nanoTime() < giveUp); round++) {
                long before = threads.getThreadAllocatedBytes(loopThread);
                for (int i = 0; i < roundTrips; i++) {
                    out.write(request);
                    in.readNBytes(reply, 0, reply.length);
                }
                perRoundTrip = Math.min(perRoundTrip, (threads.getThreadAllocatedBytes(loopThread) - before) / roundTrips);
            }
            assertThat(perRoundTrip).as("bytes the loop thread allocates per echo round trip").isLessThan(16);
        }
    }

    @Test
    void theServerCanHalfCloseAndStillRead() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        TcpServer server = listen(group(1), loopback(), TcpOptions.defaults(), () -> new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection connection) {
                connection.write(ByteBuffer.wrap("bye".getBytes(StandardCharsets.US_ASCII)));
                connection.shutdownOutput();
            }

            @Override
            public void onRead(TcpConnection connection, ByteBuffer data) {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                received.add(new String(bytes, StandardCharsets.US_ASCII));
            }
        });
        try (Socket socket = connect(server)) {
            assertThat(socket.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("bye");
            socket.getOutputStream().write("still here".getBytes(StandardCharsets.US_ASCII));
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("still here");
        }
    }

    @Test
    void aResetByThePeerClosesOnlyThatConnectionQuietlyAndIsCounted() throws Exception {
        LoopGroup group = group(1);
        TcpServer server = echoServer(group, loopback(), TcpOptions.defaults());
        try (Socket survivor = connect(server)) {
            Socket victim = connect(server);
            victim.getOutputStream().write(1);
            assertThat(victim.getInputStream().read()).isEqualTo(1);
            victim.setSoLinger(true, 0); // close sends RST
            victim.close();
            assertThat(closes.poll(10, TimeUnit.SECONDS)).isEqualTo(CloseReason.RESET);
            survivor.getOutputStream().write(7);
            assertThat(survivor.getInputStream().read()).isEqualTo(7);
        }
        assertThat(TcpStats.of(group.next()).peerResets()).isEqualTo(1);
    }

    @Test
    void anIdleConnectionIsClosedByItsTimeout() throws Exception {
        TcpServer server = echoServer(group(1), loopback(), TcpOptions.defaults().withIdleTimeout(Duration.ofMillis(200)));
        try (Socket socket = connect(server)) {
            assertThat(closes.poll(10, TimeUnit.SECONDS)).isEqualTo(CloseReason.IDLE_TIMEOUT);
            assertThat(socket.getInputStream().read()).as("the server closed").isEqualTo(-1);
        }
    }

    @Test
    void portZeroBindsAnEphemeralPortThatCanBeReadBack() throws Exception {
        TcpServer server = echoServer(group(1), loopback(), TcpOptions.defaults());
        assertThat(((InetSocketAddress) server.localAddress()).getPort()).isPositive();
        try (Socket socket = connect(server)) {
            socket.getOutputStream().write(5);
            assertThat(socket.getInputStream().read()).isEqualTo(5);
        }
    }

    @Test
    void ipv6LoopbackWorks() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        Assumptions.assumeTrue(NetworkInterface.getByInetAddress(v6) != null, "this machine has no IPv6 loopback");
        TcpServer server = echoServer(group(1), new InetSocketAddress(v6, 0), TcpOptions.defaults());
        assertThat(((InetSocketAddress) server.localAddress()).getAddress()).isInstanceOf(Inet6Address.class);
        try (Socket socket = connect(server)) {
            long[] crcs = echoRoundTrip(socket, 1 << 20, 0);
            assertThat(crcs[1]).isEqualTo(crcs[0]);
        }
    }

    @Test
    void aThousandConcurrentClientsAreAllServedOverTheGroup() throws Exception {
        LoopGroup group = group(2);
        TcpServer server = echoServer(group, loopback(), TcpOptions.defaults().withBacklog(2048));
        Set<String> loopsUsed = ConcurrentHashMap.newKeySet();
        int clients = 1000;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                byte[] message = ("client-" + i).getBytes(StandardCharsets.US_ASCII);
                results.add(pool.submit(() -> {
                    try (Socket socket = connect(server)) {
                        socket.getOutputStream().write(message);
                        socket.shutdownOutput();
                        return java.util.Arrays.equals(socket.getInputStream().readAllBytes(), message);
                    }
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isTrue();
            }
        }
        for (EventLoop loop : group) {
            if (TcpStats.of(loop).acceptedConnections() > 0 || loop.stats().ioEvents() > 0) {
                loopsUsed.add(loop.name());
            }
        }
        assertThat(loopsUsed).as("connections spread over both loops").hasSize(2);
        long accepted = group.loops().stream().mapToLong(l -> TcpStats.of(l).acceptedConnections()).sum();
        assertThat(accepted).isEqualTo(clients);
    }

    @Test
    void aClientConnectsEchoesAndClosesOnTheLoop() throws Exception {
        LoopGroup group = group(1);
        TcpServer server = echoServer(group, loopback(), TcpOptions.defaults());
        LinkedBlockingQueue<String> replies = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<CloseReason> clientCloses = new LinkedBlockingQueue<>();
        TcpConnection client = TcpConnection.connect(group.next(), server.localAddress(), TcpOptions.defaults(),
                new ConnectionHandler() {
                    @Override
                    public void onOpen(TcpConnection connection) {
                        connection.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
                    }

                    @Override
                    public void onRead(TcpConnection connection, ByteBuffer data) {
                        if (data.remaining() < 4) {
                            return; // keep the partial reply: it is handed back with the rest
                        }
                        byte[] bytes = new byte[data.remaining()];
                        data.get(bytes);
                        replies.add(new String(bytes, StandardCharsets.US_ASCII));
                        connection.close();
                    }

                    @Override
                    public void onClose(TcpConnection connection, CloseReason reason, Throwable cause) {
                        clientCloses.add(reason);
                    }
                }).get(10, TimeUnit.SECONDS);
        assertThat(replies.poll(10, TimeUnit.SECONDS)).isEqualTo("ping");
        assertThat(clientCloses.poll(10, TimeUnit.SECONDS)).isEqualTo(CloseReason.LOCAL_CLOSE);
        assertThat(client.isOpen()).isFalse();
    }

    @Test
    void aRefusedConnectFailsTheFutureAndTellsTheHandler() throws Exception {
        LoopGroup group = group(1);
        int closedPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        LinkedBlockingQueue<CloseReason> clientCloses = new LinkedBlockingQueue<>();
        CompletableFuture<TcpConnection> future = TcpConnection.connect(group.next(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort), TcpOptions.defaults(),
                new ConnectionHandler() {
                    @Override
                    public void onRead(TcpConnection connection, ByteBuffer data) {
                    }

                    @Override
                    public void onClose(TcpConnection connection, CloseReason reason, Throwable cause) {
                        clientCloses.add(reason);
                    }
                });
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ConnectException.class);
        assertThat(clientCloses.poll(10, TimeUnit.SECONDS)).isEqualTo(CloseReason.ERROR);
    }

    @Test
    void readingCanBePausedAndResumedWithoutLosingLeftovers() throws Exception {
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        TcpServer server = listen(group(1), loopback(), TcpOptions.defaults(), () -> new ConnectionHandler() {
            @Override
            public void onRead(TcpConnection connection, ByteBuffer data) {
                // One line per call, then pause: the rest waits in the connection, unconsumed.
                int start = data.position();
                for (int i = start; i < data.limit(); i++) {
                    if (data.get(i) == '\n') {
                        byte[] line = new byte[i - start];
                        data.get(line).get();
                        lines.add(new String(line, StandardCharsets.US_ASCII));
                        connection.pauseReading();
                        connection.loop().schedule(Duration.ofMillis(1), connection::resumeReading);
                        return;
                    }
                }
            }
        });
        try (Socket socket = connect(server)) {
            socket.getOutputStream().write("a\nb\nc\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(lines.poll(10, TimeUnit.SECONDS)).isEqualTo("a");
            assertThat(lines.poll(10, TimeUnit.SECONDS)).isEqualTo("b");
            assertThat(lines.poll(10, TimeUnit.SECONDS)).isEqualTo("c");
        }
    }

    @Test
    void runningOutOfFileDescriptorsShedsWithoutSpinningAndRecovers() throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "ulimit -n 160 && exec \"$0\" \"$@\""));
        command.addAll(ChildJvm.command(List.of("-Xshare:auto", ChildJvm.nativeAccessFlag(), "-XX:TieredStopAtLevel=1"),
                FdLimitedEchoServer.class, pollerName()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process child = builder.start();
        List<Socket> flood = new ArrayList<>();
        // The child's lines are read on their own thread: a read on its pipe would not heed a timeout.
        LinkedBlockingQueue<String> out = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    out.add(line);
                }
            } catch (IOException ignored) {
                // the child ended; awaitLine times out with what it saw
            }
        });
        try {
            String line = awaitLine(out, l -> l.startsWith("listening "));
            int port = Integer.parseInt(line.substring("listening ".length()).strip());
            for (int i = 0; i < 400; i++) {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
                flood.add(socket);
            }
            String stats = awaitLine(out, l -> l.startsWith("stats") && !l.contains("shed=0 "));
            assertThat(stats).as("connections were shed").contains("stats shed=");
            // While exhausted and flooded, the loop must idle in its back-off, not spin.
            long before = cpuTicks(child.pid());
            Thread.sleep(1000);
            long used = cpuTicks(child.pid()) - before;
            assertThat(used).as("CPU ticks (1/100 s) the child used in 1 s of exhaustion").isLessThan(50);
            for (Socket socket : flood) {
                socket.close();
            }
            flood.clear();
            awaitLine(out, l -> l.contains(" open=0"));
            // Recovered: a new client is served.
            try (Socket fresh = new Socket()) {
                fresh.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
                fresh.setSoTimeout(10_000);
                fresh.getOutputStream().write(42);
                assertThat(fresh.getInputStream().read()).isEqualTo(42);
            }
        } finally {
            for (Socket socket : flood) {
                socket.close();
            }
            child.getOutputStream().close();
            if (!child.waitFor(20, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    /** Takes the child's lines (it prints one every 100 ms) until one is wanted, for at most 30 s. */
    private static String awaitLine(LinkedBlockingQueue<String> out, java.util.function.Predicate<String> wanted)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = null;
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            String line = out.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                break;
            }
            if (wanted.test(line)) {
                return line;
            }
            last = line;
        }
        throw new AssertionError("the child server never printed the expected line; last: " + last);
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
    }

    @Test
    void misuseFailsFastWithAMessage() throws Exception {
        LoopGroup group = group(1);
        TcpServer server = echoServer(group, loopback(), TcpOptions.defaults());
        assertThatThrownBy(() -> TcpServer.listen(group, server.localAddress(), TcpOptions.defaults().withReuseAddress(false),
                () -> new EchoHandler(maxQueued, closes))).isInstanceOf(IOException.class)
                .hasMessageContaining(String.valueOf(((InetSocketAddress) server.localAddress()).getPort()));
        assertThatThrownBy(() -> TcpServer.listen(group, InetSocketAddress.createUnresolved("nowhere", 1),
                TcpOptions.defaults(), () -> null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unresolved");
        assertThatThrownBy(() -> TcpOptions.defaults().withWriteWatermarks(10, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("low < high");
        CompletableFuture<TcpConnection> opened = new CompletableFuture<>();
        TcpServer capturing = listen(group, loopback(), TcpOptions.defaults(), () -> new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection connection) {
                opened.complete(connection);
            }

            @Override
            public void onRead(TcpConnection connection, ByteBuffer data) {
                data.position(data.limit());
            }
        });
        try (Socket _ = connect(capturing)) {
            TcpConnection connection = opened.get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> connection.write(ByteBuffer.allocate(1)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("must be called on the thread of loop");
        }
    }

    // ------------------------------------------------------------------ close, abort, linger, completions

    /** A server handler that records what happens to it, in order, as short strings. */
    private static class Recording implements ConnectionHandler {
        final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        final CompletableFuture<TcpConnection> opened = new CompletableFuture<>();

        @Override
        public void onOpen(TcpConnection connection) {
            opened.complete(connection);
        }

        @Override
        public void onRead(TcpConnection connection, ByteBuffer data) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            events.add("read " + new String(bytes, StandardCharsets.US_ASCII));
        }

        @Override
        public void onClose(TcpConnection connection, CloseReason reason, Throwable cause) {
            events.add("close " + reason + (cause == null ? "" : " " + cause.getClass().getSimpleName()));
        }

        String next() throws InterruptedException {
            String event = events.poll(20, TimeUnit.SECONDS);
            assertThat(event).as("an event within 20 s").isNotNull();
            return event;
        }
    }

    /** Runs {@code task} on {@code loop} and waits for its result. */
    private static <T> T onLoop(EventLoop loop, java.util.concurrent.Callable<T> task) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return task.call();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, loop).get(20, TimeUnit.SECONDS);
    }

    /** Writes {@code bytes} zero bytes in 64 KiB pieces, each with {@code completion} if it is not null. */
    private static void writeZeros(TcpConnection connection, int bytes, WriteCompletion completion) {
        for (int left = bytes; left > 0; left -= 64 * 1024) {
            ByteBuffer piece = ByteBuffer.allocate(Math.min(left, 64 * 1024));
            if (completion == null) {
                connection.write(piece);
            } else {
                connection.write(piece, completion);
            }
        }
    }

    @Test
    void aFailedWriteFirstDeliversWhatThePeerSentBefore() throws Exception {
        LoopGroup group = group(1);
        Recording handler = new Recording() {
            @Override
            public void onOpen(TcpConnection connection) {
                connection.pauseReading(); // what the peer sends stays in the kernel, unread
                super.onOpen(connection);
            }
        };
        TcpServer server = listen(group, loopback(), TcpOptions.defaults(), () -> handler);
        try (Socket socket = connect(server)) {
            socket.getOutputStream().write("last words".getBytes(StandardCharsets.US_ASCII));
        } // FIN: the server's next write is answered with a reset, and the one after fails
        TcpConnection connection = handler.opened.get(10, TimeUnit.SECONDS);
        Runnable[] writeUntilFailed = new Runnable[1];
        writeUntilFailed[0] = () -> {
            if (connection.isOpen()) {
                connection.write(ByteBuffer.wrap(new byte[1024]));
                connection.loop().schedule(Duration.ofMillis(1), writeUntilFailed[0]);
            }
        };
        connection.loop().execute(writeUntilFailed[0]);
        assertThat(handler.next()).isEqualTo("read last words");
        assertThat(handler.next()).startsWith("close ");
    }

    @Test
    void abortResetsTheConnection() throws Exception {
        TcpServer server = listen(group(1), loopback(), TcpOptions.defaults(), () -> new ConnectionHandler() {
            @Override
            public void onRead(TcpConnection connection, ByteBuffer data) {
                connection.write(ByteBuffer.wrap("unsent?".getBytes(StandardCharsets.US_ASCII)));
                connection.abort();
            }
        });
        try (Socket socket = connect(server)) {
            socket.getOutputStream().write(1);
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
    }

    @Test
    void cancellingAConnectReleasesItsSocketAtOnce() throws Exception {
        TcpServer server = echoServer(group(1), loopback(), TcpOptions.defaults());
        EventLoop loop = group(1).next();
        Recording handler = new Recording();
        long watchersBefore = onLoop(loop, () -> loop.stats().liveWatchers());
        CompletableFuture<TcpConnection> future = onLoop(loop, () -> {
            CompletableFuture<TcpConnection> f = TcpConnection.connect(loop, server.localAddress(), TcpOptions.defaults(), handler);
            assertThat(f.cancel(false)).isTrue();
            return f;
        });
        assertThat(future).isCancelled();
        assertThat(handler.next()).isEqualTo("close LOCAL_CLOSE CancellationException");
        assertThat(onLoop(loop, () -> loop.stats().liveWatchers())).as("the connect's watcher").isEqualTo(watchersBefore);
        assertThat(TcpStats.of(loop).openConnections()).isZero();
        assertThat(handler.opened).isNotDone();
    }

    @Test
    void closeGivesUpOnAPeerThatNeverReadsAfterItsTimeout() throws Exception {
        LoopGroup group = group(1);
        TcpOptions options = TcpOptions.defaults().withBufferSizes(0, 64 * 1024).withCloseTimeout(Duration.ofMillis(300));
        LinkedBlockingQueue<Throwable> causes = new LinkedBlockingQueue<>();
        TcpServer server = listen(group, loopback(), options, () -> new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection connection) {
                writeZeros(connection, 4 << 20, null); // more than the kernel buffers hold
                connection.close();
            }

            @Override
            public void onRead(TcpConnection connection, ByteBuffer data) {
            }

            @Override
            public void onClose(TcpConnection connection, CloseReason reason, Throwable cause) {
                closes.add(reason);
                causes.add(cause);
            }
        });
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(8 * 1024);
            socket.connect(server.localAddress(), 10_000);
            assertThat(closes.poll(20, TimeUnit.SECONDS)).isEqualTo(CloseReason.ERROR);
            assertThat(causes.poll(10, TimeUnit.SECONDS)).hasMessageContaining("closeTimeout");
            assertThat(TcpStats.of(group.next()).closeTimeouts()).isEqualTo(1);
            InputStream in = socket.getInputStream();
            assertThatThrownBy(() -> {
                while (in.read(new byte[64 * 1024]) >= 0) {
                    // the bytes that made it before the reset
                }
            }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }
    }

    @Test
    void writeCompletionsComeInOrderAndAHalfCloseCompletesAfterThem() throws Exception {
        LinkedBlockingQueue<String> done = new LinkedBlockingQueue<>();
        TcpServer server = listen(group(1), loopback(), TcpOptions.defaults(), () -> new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection connection) {
                connection.write(ByteBuffer.wrap("one ".getBytes(StandardCharsets.US_ASCII)), f -> done.add("one " + f));
                connection.write(ByteBuffer.wrap("two".getBytes(StandardCharsets.US_ASCII)));
                connection.write(ByteBuffer.allocate(0), f -> done.add("empty " + f));
                connection.shutdownOutput(f -> done.add("fin " + f));
            }

            @Override
            public void onRead(TcpConnection connection, ByteBuffer data) {
            }
        });
        try (Socket socket = connect(server)) {
            assertThat(socket.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("one two");
            assertThat(List.of(done.poll(10, TimeUnit.SECONDS), done.poll(10, TimeUnit.SECONDS), done.poll(10, TimeUnit.SECONDS)))
                    .containsExactly("one null", "empty null", "fin null");
        }
    }

    @Test
    void writesCutOffByAnAbortFailAfterTheOnesThatWentOut() throws Exception {
        LinkedBlockingQueue<Throwable> done = new LinkedBlockingQueue<>();
        CompletableFuture<Void> clientConnected = new CompletableFuture<>();
        int pieces = 64; // 4 MiB: more than a non-reading peer's buffers take
        TcpServer server = listen(group(1), loopback(), TcpOptions.defaults().withBufferSizes(0, 64 * 1024),
                () -> new ConnectionHandler() {
                    @Override
                    public void onOpen(TcpConnection connection) {
                        writeZeros(connection, pieces * 64 * 1024, f -> done.add(f == null ? new Exception("ok") : f));
                        // After the first flush, and once the client's connect has returned: a reset
                        // that reaches the client before its connect call sees the handshake fails
                        // the connect ("Connection reset by peer"), not what this test is about.
                        clientConnected.thenRun(() -> connection.loop().execute(connection::abort));
                    }

                    @Override
                    public void onRead(TcpConnection connection, ByteBuffer data) {
                    }
                });
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(8 * 1024);
            socket.connect(server.localAddress(), 10_000);
            clientConnected.complete(null);
            List<String> outcomes = new ArrayList<>();
            for (int i = 0; i < pieces; i++) {
                Throwable outcome = done.poll(10, TimeUnit.SECONDS);
                assertThat(outcome).as("completion %d", i).isNotNull();
                outcomes.add("ok".equals(outcome.getMessage()) ? "ok" : "failed");
            }
            assertThat(outcomes).contains("ok", "failed");
            assertThat(String.join(",", outcomes)).as("no success after a failure").doesNotContain("failed,ok");
        }
    }

    @Test
    void closingFromOnOpenDoesNotFailTheConnectFuture() throws Exception {
        LoopGroup group = group(1);
        TcpServer server = echoServer(group, loopback(), TcpOptions.defaults());
        Recording handler = new Recording() {
            @Override
            public void onOpen(TcpConnection connection) {
                connection.close();
            }
        };
        TcpConnection client = TcpConnection.connect(group.next(), server.localAddress(), TcpOptions.defaults(), handler)
                .get(10, TimeUnit.SECONDS);
        assertThat(client.isOpen()).isFalse();
        assertThat(handler.next()).isEqualTo("close LOCAL_CLOSE");
    }

    @Test
    void aGracefulCloseLetsThePeerReadTheWholeResponseThoughItsLaterRequestsGoUnread() throws Exception {
        int responseBytes = 1 << 20;
        CompletableFuture<TcpConnection> answered = new CompletableFuture<>();
        // A small send buffer, so bytes still sit in the kernel when the server closes.
        TcpServer server = listen(group(1), loopback(), TcpOptions.defaults().withBufferSizes(0, 64 * 1024),
                () -> new ConnectionHandler() {
                    @Override
                    public void onRead(TcpConnection connection, ByteBuffer data) {
                        data.position(data.limit());
                        if (!answered.isDone()) {
                            writeZeros(connection, responseBytes, null);
                            connection.close(); // after one response, like a server with a request limit
                            answered.complete(connection);
                        }
                    }
                });
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(8 * 1024);
            socket.connect(server.localAddress(), 10_000);
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write("request 1\n".getBytes(StandardCharsets.US_ASCII));
            answered.get(10, TimeUnit.SECONDS);
            // Pipelined requests the server will never read: unread input when it closes.
            socket.getOutputStream().write(new byte[64 * 1024]);
            long received = 0;
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received += n;
            }
            assertThat(received).as("response bytes the client read").isEqualTo(responseBytes);
        }
    }

    @Test
    void aConnectionLingeringWhenItsLoopClosesStillDeliversEverythingItWrote() throws Exception {
        int responseBytes = 256 * 1024;
        // A loop this thread runs step by step, so that input can arrive after its last read.
        EventLoop loop = EventLoop.builder().name("linger-close").poller(pollerName()).build();
        // The server's send buffer takes the whole response, the client's window does not: most of it is
        // still in the server's kernel, behind the FIN, when the loop closes.
        TcpServer server = TcpServer.listen(loop, loopback(), TcpOptions.defaults().withBufferSizes(0, 1 << 20),
                () -> new ConnectionHandler() {
                    @Override
                    public void onOpen(TcpConnection connection) {
                        writeZeros(connection, responseBytes, null);
                        connection.close();
                    }

                    @Override
                    public void onRead(TcpConnection connection, ByteBuffer data) {
                    }
                });
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(8 * 1024);
            socket.connect(server.localAddress(), 10_000);
            socket.setSoTimeout(60_000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (TcpStats.of(loop).lingeringConnections() == 0) { // accepted, flushed into the kernel, FIN sent
                assertThat(System.nanoTime() - deadline).as("lingering within 10 s").isNegative();
                loop.run(RunMode.NOWAIT);
            }
            socket.getOutputStream().write(new byte[1024]); // input the loop has not read when it closes
            server.close();
            loop.close();
            assertThat(TcpStats.of(loop).lingeringConnections()).isZero();

            long received = 0;
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) { // a reset (what the kernel still held dropped) throws here
                received += n;
            }
            assertThat(received).as("bytes the client read, then end of stream").isEqualTo(responseBytes);
        } finally {
            loop.close();
        }
    }
}
