package io.weft.samples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpStats;
import io.weft.loop.vthreads.Carrier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The kv server end to end: a real loop group, real sockets, raw RESP bytes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KvServerTest {
    private LoopGroup group;
    private KvServer server;
    private final List<Socket> clients = new ArrayList<>();

    private InetSocketAddress start(KvConfig config) throws IOException {
        group = LoopGroup.builder().size(2).name("kv-test").poller("nio").build();
        server = KvServer.listen(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config);
        return (InetSocketAddress) server.localAddress();
    }

    private Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(10_000);
        clients.add(socket);
        return socket;
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (Socket socket : clients) {
            socket.close();
        }
        if (server != null) {
            server.close();
        }
        if (group != null) {
            group.shutdownGracefully(Duration.ofSeconds(1)).get(5, TimeUnit.SECONDS);
            group.close();
            for (EventLoop loop : group) {
                assertThat(loop.isClosed()).isTrue();
                assertThat(TcpStats.of(loop).openConnections()).as("connections left open").isZero();
                assertThat(loop.stats().liveWatchers()).as("watchers left open").isZero();
            }
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String command(String... args) {
        StringBuilder s = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            s.append('$').append(a.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(a).append("\r\n");
        }
        return s.toString();
    }

    /** Reads exactly the bytes of {@code expected} and compares. */
    private static void expect(Socket socket, String expected) throws IOException {
        byte[] got = socket.getInputStream().readNBytes(expected.length());
        assertThat(new String(got, StandardCharsets.ISO_8859_1)).isEqualTo(expected);
    }

    private static void expectClosed(Socket socket) throws IOException {
        assertThat(socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
    }

    @Test
    void servesOnTheLoopCarrier() throws IOException {
        start(KvConfig.defaults());
        assertThat(server.carrier()).isEqualTo(Carrier.LOOP);
    }

    @Test
    void answersPipelinedRequestsInOrder() throws IOException {
        Socket s = connect(start(KvConfig.defaults()));
        s.getOutputStream().write(ascii(command("PING") + command("SET", "k", "v") + command("GET", "k") + "PING\r\n"
                + command("INCR", "n") + command("INCR", "n") + command("MGET", "k", "n", "x") + command("DEL", "k", "n")
                + command("EXISTS", "k") + command("ECHO", "a\r\nb") + command("NOPE")));
        expect(s, "+PONG\r\n+OK\r\n$1\r\nv\r\n+PONG\r\n:1\r\n:2\r\n*3\r\n$1\r\nv\r\n$1\r\n2\r\n$-1\r\n:2\r\n:0\r\n"
                + "$4\r\na\r\nb\r\n-ERR unknown command 'NOPE'\r\n");
    }

    @Test
    void answersARequestThatArrivesOneByteAtATime() throws IOException, InterruptedException {
        Socket s = connect(start(KvConfig.defaults()));
        s.setTcpNoDelay(true);
        OutputStream out = s.getOutputStream();
        for (byte b : ascii(command("SET", "key", "value"))) {
            out.write(b);
            out.flush();
        }
        expect(s, "+OK\r\n");
    }

    @Test
    void aLargeValueMakesTheRoundTrip() throws IOException {
        Socket s = connect(start(KvConfig.defaults()));
        byte[] value = new byte[3 * 1024 * 1024 + 7];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i * 31);
        }
        String v = new String(value, StandardCharsets.ISO_8859_1);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                s.getOutputStream().write(ascii(command("SET", "big", v) + command("GET", "big")));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        expect(s, "+OK\r\n$" + value.length + "\r\n");
        byte[] got = s.getInputStream().readNBytes(value.length);
        assertThat(Arrays.equals(got, value)).isTrue();
        expect(s, "\r\n");
        writer.join();
    }

    @Test
    void quitAnswersOkAndCloses() throws IOException {
        Socket s = connect(start(KvConfig.defaults()));
        s.getOutputStream().write(ascii(command("QUIT") + command("PING")));
        expect(s, "+OK\r\n");
        expectClosed(s);
    }

    @Test
    void aMalformedFrameGetsAProtocolErrorThenTheConnectionCloses() throws IOException {
        InetSocketAddress address = start(KvConfig.defaults());
        Socket s = connect(address);
        s.getOutputStream().write(ascii(command("PING") + "*1\r\n+PING\r\n" + command("PING")));
        expect(s, "+PONG\r\n-ERR Protocol error: expected '$', got '+'\r\n");
        s.shutdownOutput();
        expectClosed(s);

        Socket other = connect(address);
        other.getOutputStream().write(ascii(command("PING")));
        expect(other, "+PONG\r\n");
    }

    @Test
    void whatARefusedClientStillSendsIsDiscardedWithoutTheHeapPayingForIt() throws IOException {
        InetSocketAddress address = start(KvConfig.defaults());
        Socket s = connect(address);
        OutputStream out = s.getOutputStream();
        out.write(ascii("*1\r\n+PING\r\n"));
        expect(s, "-ERR Protocol error: expected '$', got '+'\r\n"); // refused: what follows is discarded
        byte[] chunk = new byte[64 * 1024];
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getTotalThreadAllocatedBytes();
        for (int i = 0; i < 512; i++) { // 32 MiB, within the linger time at loopback speed
            out.write(chunk);
        }
        s.shutdownOutput();
        expectClosed(s);
        long allocated = threads.getTotalThreadAllocatedBytes() - before;
        // Read through the socket's stream, the discarded bytes cost the heap about as much as they
        // were (a flood of refused requests took the RSS up by hundreds of MiB); the connection's
        // lingering close discards them into the loop's one read buffer.
        assertThat(allocated).as("heap allocated by every thread while 32 MiB were discarded").isLessThan(4L << 20);

        Socket other = connect(address);
        other.getOutputStream().write(ascii(command("PING")));
        expect(other, "+PONG\r\n");
    }

    @Test
    void requestsOverTheLimitsAreRefused() throws IOException {
        InetSocketAddress address = start(KvConfig.defaults().withLimits(RespLimits.defaults().withMaxBulkBytes(1024)));
        Socket bulk = connect(address);
        bulk.getOutputStream().write(ascii("*2\r\n$3\r\nGET\r\n$1025\r\n"));
        expect(bulk, "-ERR Protocol error: invalid bulk length\r\n");
        bulk.shutdownOutput();
        expectClosed(bulk);

        Socket array = connect(address);
        array.getOutputStream().write(ascii("*1048577\r\n"));
        expect(array, "-ERR Protocol error: invalid multibulk length\r\n");
        expectClosed(array);

        Socket line = connect(address);
        line.getOutputStream().write(ascii("x".repeat(64 * 1024 + 1)));
        expect(line, "-ERR Protocol error: too big inline request\r\n");
        expectClosed(line);
    }

    @Test
    void theStoreIsSharedByConnectionsOnEveryLoop() throws Exception {
        InetSocketAddress address = start(KvConfig.defaults());
        int clientsCount = 8;
        int increments = 500;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int c = 0; c < clientsCount; c++) {
            Socket s = connect(address);
            done.add(CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    InputStream in = s.getInputStream();
                    for (int i = 0; i < increments; i++) {
                        out.write(ascii(command("INCR", "counter")));
                        int b;
                        while ((b = in.read()) != '\n') {
                            assertThat(b).isNotEqualTo(-1);
                        }
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        Socket s = connect(address);
        s.getOutputStream().write(ascii(command("GET", "counter")));
        expect(s, "$4\r\n4000\r\n");
        assertThat(group.loops().stream().mapToLong(loop -> TcpStats.of(loop).openConnections()).filter(n -> n > 0).count())
                .as("connections on both loops").isEqualTo(2);
    }

    @Test
    void anIdleConnectionIsClosed() throws IOException {
        Socket s = connect(start(KvConfig.defaults().withIdleTimeout(Duration.ofMillis(200))));
        s.getOutputStream().write(ascii(command("PING")));
        expect(s, "+PONG\r\n");
        expectClosed(s);
    }

    @Test
    void requestsBeforeAnIncompleteOneAreAnsweredWhenTheClientHalfCloses() throws IOException {
        Socket s = connect(start(KvConfig.defaults()));
        s.getOutputStream().write(ascii(command("PING") + command("ECHO", "x") + "*2\r\n$3\r\nGET"));
        s.shutdownOutput();
        expect(s, "+PONG\r\n$1\r\nx\r\n");
        expectClosed(s);
    }

    @Test
    void aClientThatResetsLeavesNothingBehind() throws IOException {
        InetSocketAddress address = start(KvConfig.defaults());
        Socket s = connect(address);
        s.getOutputStream().write(ascii("*2\r\n$3\r\nGET\r\n"));
        s.setSoLinger(true, 0);
        s.close();
        Socket other = connect(address);
        other.getOutputStream().write(ascii(command("PING")));
        expect(other, "+PONG\r\n");
    }

    /** Waits (briefly parking between looks: the count changes on other threads) until {@code condition} holds. */
    private static void await(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition still false after 30 s").isNegative();
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static boolean hasInput(Socket s) {
        try {
            return s.getInputStream().available() > 0;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void anIdleConnectionHoldsNoThreadAndNoBuffer() throws Exception {
        InetSocketAddress address = start(KvConfig.defaults());
        int n = 400;
        long before = retainedBytes();
        for (int i = 0; i < n; i++) {
            Socket s = connect(address);
            s.getOutputStream().write(ascii(command("PING")));
            expect(s, "+PONG\r\n"); // served, then idle: it waits for the next request with no thread
        }
        long perConnection = (retainedBytes() - before) / n;
        System.out.println("kv: retained heap + direct memory per idle connection (server and client side): "
                + perConnection + " bytes");
        // Buffers allocated at accept (16 KiB in, 16 KiB out, a 64 KiB line) were ~100 KB each; a
        // parked thread per idle connection and a wait buffer made about 7 KB; now what is left is
        // the sockets and connections of both sides (about 2.7 KB measured).
        assertThat(perConnection).isLessThan(4 * 1024);
    }

    @Test
    void idleConnectionsHoldNoThread() throws Exception {
        InetSocketAddress address = start(KvConfig.defaults().withIdleTimeout(Duration.ofMinutes(5)));
        for (int i = 0; i < 50; i++) {
            Socket s = connect(address);
            s.getOutputStream().write(ascii(command("PING")));
            expect(s, "+PONG\r\n"); // served, then idle: waits for the next request with no thread
        }
        // The acceptor and the sweeper are the server's only threads now.
        await(() -> serverThreads().size() == 2);
        assertThat(serverThreads()).allMatch(name -> name.startsWith("kv-test-0-vt-"));
        for (Socket s : clients) { // every idle connection still serves
            s.getOutputStream().write(ascii(command("ECHO", "again")));
            expect(s, "$5\r\nagain\r\n");
        }
    }

    /** The names of the live virtual threads of the server's loops, from a JDK thread dump (which lists virtual threads). */
    private static List<String> serverThreads() {
        try {
            java.nio.file.Path dump = java.nio.file.Files.createTempFile("kv-threads", ".txt");
            java.nio.file.Files.delete(dump); // the dump refuses to overwrite
            try {
                ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                        .dumpThreads(dump.toString(), com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
                return java.nio.file.Files.readAllLines(dump).stream()
                        .map(line -> line.replaceFirst("^#\\d+ \"([^\"]*)\".*", "$1"))
                        .filter(name -> name.startsWith("kv-test-") && name.contains("-vt-"))
                        .toList();
            } finally {
                java.nio.file.Files.deleteIfExists(dump);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Heap in use after a full collection, plus direct buffers. */
    private static long retainedBytes() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long direct = java.lang.management.ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)
                .stream().mapToLong(java.lang.management.BufferPoolMXBean::getMemoryUsed).sum();
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() + direct;
    }

    @Test
    void aRequestPastThePerRequestBoundIsRefusedBeforeItsBytesArrive() throws IOException {
        InetSocketAddress address = start(KvConfig.defaults().withQueryMemory(1 << 20, 64 << 20));
        Socket greedy = connect(address);
        // An MSET that claims 12 values of 600 KiB: the second claim passes 1 MiB; no value byte is sent.
        greedy.getOutputStream().write(ascii("*25\r\n$4\r\nMSET\r\n$1\r\na\r\n$614400\r\n"));
        greedy.getOutputStream().write(new byte[614400]);
        greedy.getOutputStream().write(ascii("\r\n$1\r\nb\r\n$614400\r\n"));
        expect(greedy, "-ERR Protocol error: request bigger than the query buffer limit of 1048576 bytes\r\n");
        expectClosed(greedy);
        assertThat(server.queryMemory().refused()).isEqualTo(1);

        Socket other = connect(address);
        other.getOutputStream().write(ascii(command("PING")));
        expect(other, "+PONG\r\n");
        await(() -> server.queryMemory().used() == 0);
    }

    @Test
    void unfinishedRequestsOnManyConnectionsCannotTogetherPassTheTotalBound() throws IOException {
        long total = 4 << 20;
        InetSocketAddress address = start(KvConfig.defaults().withQueryMemory(64 << 20, total));
        int value = 1 << 20;
        List<Socket> holders = new ArrayList<>();
        // Eight connections each start a SET of 1 MiB and send half of it: they hold their claims.
        for (int i = 0; i < 8; i++) {
            Socket s = connect(address);
            s.getOutputStream().write(ascii("*3\r\n$3\r\nSET\r\n$2\r\nk" + i + "\r\n$" + value + "\r\n"));
            s.getOutputStream().write(new byte[value / 2]);
            holders.add(s);
        }
        // Three fit in 4 MiB (each claim is 1 MiB plus overheads); the other five are refused and closed.
        await(() -> server.queryMemory().refused() == 5);
        await(() -> holders.stream().filter(KvServerTest::hasInput).count() == 5);
        int refused = 0;
        List<Socket> held = new ArrayList<>();
        for (Socket s : holders) {
            if (hasInput(s)) {
                assertThat((char) s.getInputStream().read()).isEqualTo('-');
                refused++;
            } else {
                held.add(s); // no answer: its request is being read
            }
        }
        assertThat(held).hasSize(3);
        assertThat(refused).isEqualTo(5);
        assertThat(server.queryMemory().refused()).isEqualTo(5);
        assertThat(server.queryMemory().used()).isLessThanOrEqualTo(total);

        // The server goes on serving others, and the held requests complete.
        Socket other = connect(address);
        other.getOutputStream().write(ascii(command("PING")));
        expect(other, "+PONG\r\n");
        for (Socket s : held) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(new byte[value / 2]);
            s.getOutputStream().write(ascii("\r\n"));
            expect(s, "+OK\r\n");
        }
        await(() -> server.queryMemory().used() == 0);
    }

    @Test
    void aGracefulStopAnswersTheRequestInProgressThenClosesAndClosesIdleConnectionsAtOnce() throws Exception {
        InetSocketAddress address = start(KvConfig.defaults());
        Socket idle = connect(address);
        idle.getOutputStream().write(ascii(command("PING")));
        expect(idle, "+PONG\r\n");
        await(() -> server.queryMemory().used() == 0); // the PING's share is released: idle waits for a request
        Socket midRequest = connect(address);
        midRequest.getOutputStream().write(ascii("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhel"));
        await(() -> server.queryMemory().used() > 0); // its request has begun

        server.close();
        java.util.concurrent.CompletableFuture<Boolean> drained = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return server.drain(System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        expectClosed(idle); // nothing begun: closed at once
        assertThat(drained).isNotDone();
        midRequest.getOutputStream().write(ascii("lo\r\n" + command("GET", "k"))); // the GET comes after the stop
        expect(midRequest, "+OK\r\n");
        expectClosed(midRequest);
        assertThat(drained.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.store().get(ascii("k"))).isEqualTo(ascii("hello"));
    }
}
