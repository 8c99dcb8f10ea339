package io.weft.loop.epoll.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import io.weft.loop.core.net.TcpStats;
import io.weft.loop.core.net.spi.FdExhaustedException;
import io.weft.loop.core.net.spi.PeerResetException;
import io.weft.loop.core.net.spi.ServerSocketHandle;
import io.weft.loop.core.net.spi.SocketHandle;
import io.weft.loop.core.net.spi.SocketOptions;
import io.weft.loop.core.spi.PollSource;
import io.weft.loop.epoll.EpollPollerProvider;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the native TCP backend does beyond the contract: its structs, its errors, its copies, its allocations. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EpollTcpBackendTest {
    private static final EpollTcpBackend BACKEND = EpollTcpBackend.INSTANCE;
    /** What {@code TcpOptions.defaults()} hands a backend. */
    private static final SocketOptions DEFAULTS = new SocketOptions(true, false, true, false, 1024, 0, 0);
    private static final SocketOptions SHARING_PORT = new SocketOptions(true, false, true, true, 1024, 0, 0);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private long socketsBefore;

    @BeforeAll
    static void letTheJdkOpenItsOwnSocketFirst() throws IOException {
        // The JDK's socket layer keeps one Unix socket open for good once first used (the pre-close
        // descriptor of sun.nio.ch.UnixDispatcher); open a java.net socket now so it is not counted.
        try (ServerSocket warmUp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(warmUp.getInetAddress(), warmUp.getLocalPort());
                Socket accepted = warmUp.accept()) {
            client.getOutputStream().write(1);
            accepted.getInputStream().read();
        }
    }

    @BeforeEach
    void countSockets() {
        socketsBefore = openSockets();
    }

    @AfterEach
    void nothingLeaks() throws Exception {
        TestNative.closeNewestFirst(toClose);
        assertThat(openSockets()).as("open socket fds after the test").isEqualTo(socketsBefore);
    }

    // ------------------------------------------------------------------ structs and addresses

    @Test
    void structLayoutsHaveTheirCSizesAndOffsets() {
        assertThat(SocketCalls.SOCKADDR_IN.byteSize()).isEqualTo(16);
        assertThat(SocketCalls.SIN_ADDR_OFFSET).isEqualTo(4);
        assertThat(SocketCalls.SOCKADDR_IN6.byteSize()).isEqualTo(28);
        assertThat(SocketCalls.SIN6_ADDR_OFFSET).isEqualTo(8);
        assertThat(SocketCalls.SIN6_SCOPE_ID_OFFSET).isEqualTo(24);
        assertThat(SocketCalls.IOVEC.byteSize()).isEqualTo(16);
        assertThat(SocketCalls.IOV_LEN_OFFSET).isEqualTo(8);
        assertThat(SocketCalls.MSGHDR.byteSize()).isEqualTo(56);
        assertThat(SocketCalls.MSG_IOV_OFFSET).isEqualTo(16);
        assertThat(SocketCalls.MSG_IOVLEN_OFFSET).isEqualTo(24);
    }

    @Test
    void addressesSurviveARoundTripThroughTheirStructs() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(SocketCalls.SOCKADDR_STORAGE_SIZE, 8);
            InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 54321);
            assertThat(SocketCalls.encode(v4, sockaddr)).isEqualTo(16);
            assertThat(sockaddr.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 2)).as("port high byte first")
                    .isEqualTo((byte) (54321 >> 8));
            assertThat(SocketCalls.decode(sockaddr)).isEqualTo(v4);

            InetSocketAddress v6 = new InetSocketAddress(
                    Inet6Address.getByAddress(null, InetAddress.getByName("fe80::1").getAddress(), 3), 8080);
            assertThat(SocketCalls.encode(v6, sockaddr)).isEqualTo(28);
            InetSocketAddress back = SocketCalls.decode(sockaddr);
            assertThat(back).isEqualTo(v6);
            assertThat(((Inet6Address) back.getAddress()).getScopeId()).isEqualTo(3);

            // A dual-stack listener reports an IPv4 peer as ::ffff:a.b.c.d: it reads back as IPv4.
            SocketCalls.encode(new InetSocketAddress(InetAddress.getByName("::1"), 1), sockaddr);
            sockaddr.asSlice(SocketCalls.SIN6_ADDR_OFFSET, 16).copyFrom(MemorySegment.ofArray(
                    new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1}));
            assertThat(SocketCalls.decode(sockaddr).getAddress()).isInstanceOf(Inet4Address.class)
                    .isEqualTo(InetAddress.getByName("127.0.0.1"));
            assertThat(SocketCalls.format(v6)).isEqualTo("[fe80:0:0:0:0:0:0:1%3]:8080");
        }
    }

    @Test
    void ipv6AddressesAreReadBackFromTheKernel() throws IOException {
        InetAddress v6 = InetAddress.getByName("::1");
        Assumptions.assumeTrue(NetworkInterface.getByInetAddress(v6) != null, "this machine has no IPv6 loopback");
        Pair pair = pair(new InetSocketAddress(v6, 0));
        InetSocketAddress listening = (InetSocketAddress) pair.listener.localAddress();
        assertThat(listening.getAddress()).isInstanceOf(Inet6Address.class).isEqualTo(v6);
        assertThat(listening.getPort()).isPositive();
        assertThat(pair.client.remoteAddress()).isEqualTo(listening);
        assertThat(pair.server.localAddress()).isEqualTo(listening);
        assertThat(pair.server.remoteAddress()).isEqualTo(pair.client.localAddress());
        assertThat(((InetSocketAddress) pair.client.localAddress()).getAddress()).isEqualTo(v6);
    }

    // ------------------------------------------------------------------ errors

    @Test
    void bindingAPortInUseNamesTheCallTheFdTheAddressAndTheErrno() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> BACKEND.listen(new InetSocketAddress("127.0.0.1", port), DEFAULTS))
                    .isExactlyInstanceOf(BindException.class)
                    .hasMessageMatching("bind\\(fd=\\d+, 127\\.0\\.0\\.1:" + port
                            + "\\): EADDRINUSE \\(Address already in use\\)");
        }
    }

    @Test
    void aRefusedConnectFailsFinishConnectWithAConnectException() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        SocketHandle client = open(BACKEND.connect(new InetSocketAddress("127.0.0.1", port), DEFAULTS));
        assertThatThrownBy(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!client.finishConnect() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
        }).isInstanceOf(ConnectException.class)
                .hasMessageMatching("connect\\(fd=\\d+, 127\\.0\\.0\\.1:" + port + "\\): ECONNREFUSED \\(Connection refused\\)");
    }

    @Test
    void aResetPeerSurfacesAsPeerResetOnReadAndWriteAndRaisesNoSigpipe() throws Exception {
        ServerSocketHandle listener = open(BACKEND.listen(loopback(), DEFAULTS));
        Socket peer = new Socket();
        peer.connect(listener.localAddress(), 10_000);
        SocketHandle server = open(acceptOne(listener));
        peer.setSoLinger(true, 0);
        peer.close(); // RST
        ByteBuffer buffer = ByteBuffer.allocateDirect(16);
        assertThatThrownBy(() -> readUntilSomething(server, buffer)).isInstanceOf(PeerResetException.class)
                .hasMessageMatching("readv\\(fd=\\d+\\): ECONNRESET \\(Connection reset by peer\\)");
        // The reset has been read: the next write finds the connection gone. MSG_NOSIGNAL makes that
        // EPIPE instead of SIGPIPE (which HotSpot also catches and ignores, see below).
        assertThatThrownBy(() -> server.write(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1})}, 0, 1))
                .isInstanceOf(PeerResetException.class)
                .hasMessageMatching("send\\(fd=\\d+\\): (EPIPE \\(Broken pipe\\)|ECONNRESET .*)");
        assertThat(sigpipeIsCaughtOrIgnored()).as("the JVM handles SIGPIPE (SigCgt or SigIgn bit 13)").isTrue();
    }

    @Test
    void aClosedSocketFailsInsteadOfTouchingAReusedFdAndClosesOnce() throws IOException {
        Pair pair = pair(loopback());
        pair.server.close();
        pair.server.close();
        assertThatThrownBy(() -> pair.server.read(ByteBuffer.allocateDirect(8))).isInstanceOf(IOException.class)
                .hasMessageMatching("socket fd=\\d+ is closed");
    }

    @Test
    void fdExhaustionIsItsOwnException() {
        assertThat(Errno.socketException("accept4(fd=5)", Errno.EMFILE)).isInstanceOf(FdExhaustedException.class)
                .hasMessage("accept4(fd=5): EMFILE (Too many open files)");
        assertThat(Errno.socketException("accept4(fd=5)", Errno.ENFILE)).isInstanceOf(FdExhaustedException.class);
        assertThat(Errno.socketException("sendmsg(fd=5)", Errno.EPIPE)).isInstanceOf(PeerResetException.class);
        assertThat(Errno.socketException("accept4(fd=5)", 103)).isExactlyInstanceOf(IOException.class)
                .hasMessage("accept4(fd=5): ECONNABORTED (Software caused connection abort)");
    }

    // ------------------------------------------------------------------ reads and writes

    @Test
    void directHeapAndMixedGatherWritesArriveInOrderAndAdvancePositions() throws IOException {
        Pair pair = pair(loopback());
        ByteBuffer direct = ByteBuffer.allocateDirect(8).put(bytes("xxab")).flip().position(2);
        ByteBuffer heap = ByteBuffer.wrap(bytes("cd"));
        ByteBuffer empty = ByteBuffer.allocate(0);
        ByteBuffer readOnly = ByteBuffer.wrap(bytes("ef")).asReadOnlyBuffer();
        ByteBuffer[] srcs = {ByteBuffer.allocate(1), direct, heap, empty, readOnly};
        // A heap buffer ends a gather write (the GC may move it, so it is never in an iovec)...
        assertThat(pair.client.write(srcs, 1, 4)).isEqualTo(2);
        assertThat(direct.hasRemaining()).isFalse();
        assertThat(heap.position()).isZero();
        // ...and is then written alone, in place; an empty buffer is skipped.
        assertThat(pair.client.write(srcs, 1, 4)).isEqualTo(2);
        assertThat(pair.client.write(srcs, 1, 4)).isEqualTo(2);
        assertThat(pair.client.write(srcs, 1, 4)).isZero();
        assertThat(direct.hasRemaining() || heap.hasRemaining() || readOnly.hasRemaining()).isFalse();
        assertThat(srcs[0].position()).as("outside the range: untouched").isZero();

        ByteBuffer into = ByteBuffer.allocate(10).position(1); // a heap target is read into in place
        readExactly(pair.server, into, 6);
        assertThat(new String(into.array(), 1, 6, StandardCharsets.US_ASCII)).isEqualTo("abcdef");

        pair.server.write(new ByteBuffer[] {ByteBuffer.wrap(bytes("back"))}, 0, 1);
        ByteBuffer directInto = ByteBuffer.allocateDirect(16);
        readExactly(pair.client, directInto, 4);
        assertThat(StandardCharsets.US_ASCII.decode(directInto.flip()).toString()).isEqualTo("back");
    }

    @Test
    void aReadReturnsZeroWhenNothingIsThereAndMinusOneAtEndOfStream() throws IOException {
        Pair pair = pair(loopback());
        ByteBuffer buffer = ByteBuffer.allocateDirect(16);
        assertThat(pair.server.read(buffer)).isZero();
        assertThat(pair.server.read(buffer.limit(0))).as("no room: no call").isZero();
        pair.client.shutdownOutput();
        buffer.clear();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int n;
        while ((n = pair.server.read(buffer)) == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(n).isEqualTo(-1);
    }

    @Test
    void aFullSocketBufferWritesZeroAndLosesNothing() throws IOException {
        Pair pair = pair(loopback());
        ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
        long written = 0;
        for (long n; (n = pair.client.write(new ByteBuffer[] {chunk.clear()}, 0, 1)) > 0; ) {
            written += n;
        }
        assertThat(written).isPositive();
        ByteBuffer sink = ByteBuffer.allocateDirect(256 * 1024);
        long read = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (read < written && System.nanoTime() < deadline) {
            read += Math.max(0, pair.server.read(sink.clear()));
        }
        assertThat(read).isEqualTo(written);
    }

    /**
     * Direct buffers (the loop's read buffer and outbound chunks) cost nothing per call. A heap
     * buffer is passed to the call as a segment made per call (a few dozen bytes of young garbage)
     * instead of being copied through a native bounce buffer; only the direct path is the loop's.
     */
    @Test
    void directReadsAndWritesAllocateNothingOnTheHeapOnceWarm() throws IOException {
        Pair pair = pair(loopback());
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ByteBuffer a = ByteBuffer.allocateDirect(512);
        ByteBuffer b = ByteBuffer.allocateDirect(512);
        ByteBuffer[] gather = {a, b};
        ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
        double bestDirect = Double.MAX_VALUE;
        double nanosPerPair = Double.MAX_VALUE;
        for (int round = 0; round < 30 && bestDirect >= 1; round++) {
            for (int i = 0; i < 5_000; i++) {
                echo(pair, gather, in);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            long start = System.nanoTime();
            for (int i = 0; i < 5_000; i++) {
                echo(pair, gather, in);
            }
            nanosPerPair = Math.min(nanosPerPair, (System.nanoTime() - start) / 5_000.0);
            bestDirect = Math.min(bestDirect, (threads.getCurrentThreadAllocatedBytes() - before) / 5_000.0);
        }
        System.out.printf("epoll tcp: a 1 KiB gather write (2 direct buffers) + its read took %.0f ns%n", nanosPerPair);
        assertThat(bestDirect).as("heap bytes per direct write + read, best round").isLessThan(1);
    }

    /**
     * The scratch rule (issue 10, defects 1 and 2): a socket's calls work in memory the socket was
     * made with. A call from a thread that never used a socket before allocates no native memory, so
     * it cannot park a virtual thread halfway (native allocation takes locks) nor cost memory per
     * thread: a hundred fresh virtual threads, one after the other, add nothing.
     */
    @Test
    void socketCallsFromFreshVirtualThreadsAllocateNoNativeMemory() throws Exception {
        Pair pair = pair(loopback());
        ByteBuffer[] out = {ByteBuffer.allocateDirect(256)};
        ByteBuffer in = ByteBuffer.allocateDirect(256);
        ByteBuffer heapIn = ByteBuffer.allocate(256);
        echo(pair, out, in);
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
        long before = direct.getMemoryUsed();
        for (int i = 0; i < 100; i++) {
            Thread thread = Thread.ofVirtual().start(() -> {
                try {
                    echo(pair, out, in);
                    echo(pair, new ByteBuffer[] {ByteBuffer.allocate(100)}, heapIn);
                    pair.server.localAddress();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            thread.join();
        }
        assertThat(direct.getMemoryUsed() - before).as("native bytes 100 fresh threads added by using sockets")
                .isLessThan(4096);
    }

    @Test
    void aBufferOfAClosedArenaIsRefusedNotReadIntoOrSentFromFreedMemory() throws IOException {
        Pair pair = pair(loopback());
        Arena arena = Arena.ofShared();
        ByteBuffer buffer = arena.allocate(64).asByteBuffer();
        echo(pair, new ByteBuffer[] {buffer}, buffer); // its address is known now
        arena.close();
        assertThatThrownBy(() -> pair.client.write(new ByteBuffer[] {buffer.clear()}, 0, 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("arena is closed");
        pair.server.write(new ByteBuffer[] {ByteBuffer.wrap(bytes("late"))}, 0, 1);
        assertThatThrownBy(() -> readUntilSomething(pair.client, buffer.clear()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("arena is closed");
    }

    /** Writes the gather buffers whole and reads them back on the other side. */
    private static void echo(Pair pair, ByteBuffer[] srcs, ByteBuffer in) throws IOException {
        long total = 0;
        for (ByteBuffer src : srcs) {
            src.clear();
            total += src.remaining();
        }
        long written = 0;
        while (written < total) {
            written += pair.client.write(srcs, 0, srcs.length);
        }
        in.clear();
        while (in.position() < total) {
            pair.server.read(in);
        }
    }

    // ------------------------------------------------------------------ validation

    @Test
    void validateProbesAUsersFdButTrustsTheBackendsOwnSockets(@TempDir Path dir) throws IOException {
        // validate's probe is an epoll_ctl ADD then DEL; an fd epoll refuses shows whether it ran.
        Path file = Files.writeString(dir.resolve("plain.txt"), "x");
        try (EpollPoller poller = EpollPoller.open(EpollPoller.Options.DEFAULT);
                FileInputStream _ = new FileInputStream(file.toFile())) {
            int fd = TestNative.fdOf(file);
            assertThatThrownBy(() -> poller.validate(PollSource.ofFd(fd))).hasMessageContaining("EPERM");
            poller.validate(PollSource.ofKnownPollableFd(fd)); // no probe, so nothing to refuse it
        }
        Pair pair = pair(loopback());
        for (PollSource source : List.of(pair.listener().source(), pair.client().source(), pair.server().source())) {
            assertThat(source).isInstanceOfSatisfying(PollSource.Fd.class,
                    fd -> assertThat(fd.knownPollable()).as(source + " skips the probe").isTrue());
        }
        assertThat(PollSource.ofKnownPollableFd(7)).as("the same fd is the same source").isEqualTo(PollSource.ofFd(7));
    }

    // ------------------------------------------------------------------ SO_REUSEPORT

    @Test
    void aGroupSharingThePortListensWithOneListenerPerLoopAndBothLoopsAccept() throws Exception {
        try (LoopGroup group = LoopGroup.builder().size(2).name("reuseport").poller(EpollPollerProvider.NAME).build()) {
            TcpServer server = TcpServer.listen(group, loopback(), TcpOptions.defaults().withReusePort(true), () -> new ConnectionHandler() {
                @Override
                public void onRead(TcpConnection connection, ByteBuffer data) {
                    connection.write(data);
                }
            });
            try {
                for (int i = 0; i < 200; i++) {
                    try (Socket socket = new Socket()) {
                        socket.connect(server.localAddress(), 10_000);
                        socket.setSoTimeout(10_000);
                        socket.getOutputStream().write(i);
                        assertThat(socket.getInputStream().read()).isEqualTo(i);
                    }
                }
            } finally {
                server.close();
            }
            long total = 0;
            for (EventLoop loop : group) {
                long accepted = TcpStats.of(loop).acceptedConnections();
                assertThat(accepted).as("accepted on " + loop.name()).isPositive();
                total += accepted;
            }
            assertThat(total).isEqualTo(200);
        }
    }

    @Test
    void twoReusePortListenersShareOnePort() throws IOException {
        ServerSocketHandle first = open(BACKEND.listen(loopback(), SHARING_PORT));
        ServerSocketHandle second = open(BACKEND.listen(first.localAddress(), SHARING_PORT));
        assertThat(second.localAddress()).isEqualTo(first.localAddress());
        assertThatThrownBy(() -> BACKEND.listen(first.localAddress(), DEFAULTS))
                .hasMessageContaining("EADDRINUSE");
    }

    // ------------------------------------------------------------------ helpers

    private record Pair(ServerSocketHandle listener, SocketHandle client, SocketHandle server) {
    }

    private Pair pair(InetSocketAddress address) throws IOException {
        ServerSocketHandle listener = open(BACKEND.listen(address, DEFAULTS));
        SocketHandle client = open(BACKEND.connect(listener.localAddress(), DEFAULTS));
        SocketHandle server = open(acceptOne(listener));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!client.finishConnect()) {
            assertThat(System.nanoTime()).as("connected in time").isLessThan(deadline);
            Thread.onSpinWait();
        }
        return new Pair(listener, client, server);
    }

    private static SocketHandle acceptOne(ServerSocketHandle listener) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (;;) {
            SocketHandle accepted = listener.accept();
            if (accepted != null) {
                return accepted;
            }
            assertThat(System.nanoTime()).as("accepted in time").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private static void readUntilSomething(SocketHandle socket, ByteBuffer buffer) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (socket.read(buffer) == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    private static void readExactly(SocketHandle socket, ByteBuffer into, int count) throws IOException {
        int start = into.position();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (into.position() - start < count && System.nanoTime() < deadline) {
            assertThat(socket.read(into)).isNotNegative();
        }
        assertThat(into.position() - start).isEqualTo(count);
    }

    private <T extends AutoCloseable> T open(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** SIGPIPE is signal 13: bit 12 of the SigCgt (caught) or SigIgn (ignored) masks in /proc/self/status. */
    private static boolean sigpipeIsCaughtOrIgnored() throws IOException {
        long caughtOrIgnored = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigCgt:") || line.startsWith("SigIgn:")) {
                caughtOrIgnored |= Long.parseUnsignedLong(line.substring(7).strip(), 16);
            }
        }
        return (caughtOrIgnored & (1L << 12)) != 0;
    }

    private static long openSockets() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
