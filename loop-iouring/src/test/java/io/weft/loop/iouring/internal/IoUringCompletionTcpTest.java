package io.weft.loop.iouring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import io.weft.loop.core.net.spi.ServerSocketHandle;
import io.weft.loop.core.net.spi.SocketHandle;
import io.weft.loop.core.net.spi.SocketOptions;
import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.core.spi.ReadyEvents;
import io.weft.loop.iouring.IoUringPollerProvider;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the TCP contract cannot see of the completion-driven sockets: a buffer ring far smaller than
 * the traffic (-ENOBUFS, counted, nothing lost), a paused reader that gives its buffers back, close
 * and abort with requests in flight, short sends, and a multishot accept queued again after it ended.
 * Real sockets on 127.0.0.1; each loop runs on a poller with a small buffer ring.
 */
class IoUringCompletionTcpTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private IoUringPoller poller;
    private EventLoop loop;

    @BeforeAll
    static void completionsDriveTcpHere() {
        assertThat(IoUringTcpBackend.unsupportedReason()).as("this kernel runs the completion backend").isNull();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    /** Starts a loop on a poller whose ring has {@code buffers} receive buffers of {@code size} bytes. */
    private void startLoop(int buffers, int size) throws Exception {
        PollerProvider provider = new PollerProvider() {
            @Override
            public String name() {
                return IoUringPollerProvider.NAME; // so the loop's TCP is the iouring backend
            }

            @Override
            public int priority() {
                return 0;
            }

            @Override
            public Optional<String> unavailabilityCause() {
                return Optional.empty();
            }

            @Override
            public Poller newPoller() throws IOException {
                poller = IoUringPoller.openWithReceiveBuffers(buffers, size);
                return poller;
            }
        };
        loop = EventLoop.builder().name("completions").poller(provider).build();
        loop.schedule(Duration.ofHours(1), () -> { }); // keeps run() going until close
        Thread thread = Thread.ofPlatform().name("completions").start(loop::run);
        toClose.add(() -> {
            loop.close();
            thread.join(10_000);
        });
        onLoop(() -> null); // runs on its thread now: a listen from here hands its start over
    }

    private TcpServer listen(java.util.function.Supplier<ConnectionHandler> handlers) throws IOException {
        return listen(TcpOptions.defaults(), handlers);
    }

    private TcpServer listen(TcpOptions options, java.util.function.Supplier<ConnectionHandler> handlers)
            throws IOException {
        TcpServer server = TcpServer.listen(loop, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                options, handlers);
        toClose.add(server::close);
        return server;
    }

    private Socket connect(TcpServer server) throws IOException {
        Socket socket = new Socket();
        toClose.add(socket);
        socket.connect(server.localAddress(), 10_000);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return task.call();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, loop).get(20, TimeUnit.SECONDS);
    }

    private void awaitOnLoop(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!onLoop(condition::getAsBoolean)) {
            assertThat(System.nanoTime() - deadline).as("%s within 20 s", what).isNegative();
            Thread.sleep(5);
        }
    }

    /**
     * On end of stream, answers the CRC32 and the count of what it read (16 bytes) and closes; pauses
     * reading after the first read when asked, until resumed.
     */
    private static final class Checksummer implements ConnectionHandler {
        final CRC32 crc = new CRC32();
        final CompletableFuture<TcpConnection> paused = new CompletableFuture<>();
        final boolean pauseAfterFirstRead;
        long count;

        Checksummer(boolean pauseAfterFirstRead) {
            this.pauseAfterFirstRead = pauseAfterFirstRead;
        }

        @Override
        public void onRead(TcpConnection connection, ByteBuffer data) {
            count += data.remaining();
            crc.update(data);
            if (pauseAfterFirstRead && !paused.isDone()) {
                connection.pauseReading();
                paused.complete(connection);
            }
        }

        @Override
        public void onInputClosed(TcpConnection connection) {
            connection.write(ByteBuffer.allocate(16).putLong(crc.getValue()).putLong(count).flip());
            connection.close();
        }
    }

    /** Sends {@code bytes} seeded random bytes, half-closes, and checks the server's CRC32 and count. */
    private static void sendAndCheck(Socket socket, int bytes, long seed) throws IOException {
        CRC32 crc = new CRC32();
        Random random = new Random(seed);
        byte[] chunk = new byte[8192];
        OutputStream out = socket.getOutputStream();
        for (int left = bytes; left > 0; left -= chunk.length) {
            int n = Math.min(left, chunk.length);
            random.nextBytes(chunk);
            crc.update(chunk, 0, n);
            out.write(chunk, 0, n);
        }
        socket.shutdownOutput();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        assertThat(in.readLong()).as("CRC32 of what the server read").isEqualTo(crc.getValue());
        assertThat(in.readLong()).as("bytes the server read").isEqualTo(bytes);
    }

    @Test
    void aBufferRingFarSmallerThanTheTrafficLosesNoByteAndCountsItsShortages() throws Exception {
        startLoop(4, 1024);
        TcpServer server = listen(() -> new Checksummer(false));
        int clients = 16;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Socket socket = connect(server);
            long seed = i;
            done.add(CompletableFuture.runAsync(() -> {
                try {
                    sendAndCheck(socket, 512 * 1024, seed);
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }, runnable -> Thread.ofPlatform().start(runnable)));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        SocketDriver driver = onLoop(poller::driver);
        assertThat(onLoop(() -> driver.noBufferCount)).as("receives that found the 4 buffers taken").isPositive();
        assertThat(onLoop(() -> driver.receiveCompletions)).isGreaterThan(16L * 512);
        awaitOnLoop("every buffer back in the ring", () -> driver.buffers.free() == 4);
    }

    @Test
    void aPausedReaderGivesItsBuffersBackAndReadsEverythingWhenResumed() throws Exception {
        startLoop(4, 1024);
        Checksummer stalled = new Checksummer(true);
        List<ConnectionHandler> handlers = new ArrayList<>(List.of(stalled));
        TcpServer server = listen(() -> handlers.isEmpty() ? new Checksummer(false) : handlers.removeFirst());
        Socket first = connect(server);
        int bytes = 256 * 1024;
        CompletableFuture<Void> firstDone = CompletableFuture.runAsync(() -> {
            try {
                sendAndCheck(first, bytes, 7);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, runnable -> Thread.ofPlatform().start(runnable));
        TcpConnection connection = stalled.paused.get(20, TimeUnit.SECONDS);
        SocketDriver driver = onLoop(poller::driver);
        awaitOnLoop("the paused reader's receive cancelled and its buffers back",
                () -> driver.receiving == 0 && driver.buffers.free() == 4);
        // The ring is all there for another connection while the first one stays paused.
        sendAndCheck(connect(server), 128 * 1024, 8);
        assertThat(firstDone).isNotDone();
        loop.execute(connection::resumeReading);
        firstDone.get(30, TimeUnit.SECONDS);
    }

    @Test
    void theRestOfASendIsSubmittedAgainFromItsCompletionAndNothingIsLost() throws Exception {
        startLoop(16, 4096);
        int bytes = 2 << 20;
        byte[] payload = new byte[bytes];
        new Random(3).nextBytes(payload);
        int piece = 4096;
        TcpServer server = listen(TcpOptions.defaults().withBufferSizes(0, 8 * 1024), () -> new ConnectionHandler() {
            int sent;
            io.weft.loop.core.Timer timer;

            @Override
            public void onOpen(TcpConnection connection) {
                // Small writes, one a millisecond, each flushed on its own: once the kernel is full
                // they are staged behind the send that waits for room.
                timer = connection.loop().scheduleRepeating(Duration.ofMillis(1), Duration.ofMillis(1), () -> {
                    connection.write(ByteBuffer.wrap(payload, sent, piece));
                    sent += piece;
                    if (sent == payload.length) {
                        timer.cancel();
                        connection.close();
                    }
                });
            }

            @Override
            public void onRead(TcpConnection connection, ByteBuffer data) {
                data.position(data.limit());
            }
        });
        Socket socket = new Socket();
        toClose.add(socket);
        socket.setReceiveBufferSize(8 * 1024); // a small window: the kernel takes sends in pieces
        socket.connect(server.localAddress(), 10_000);
        socket.setSoTimeout(30_000);
        Thread.sleep(300); // not reading yet: the kernel's buffers fill, and the server stages
        CRC32 expected = new CRC32();
        expected.update(payload);
        CRC32 received = new CRC32();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            received.update(buffer, 0, n);
            total += n;
        }
        assertThat(total).as("bytes before the end of stream (FIN after the data)").isEqualTo(bytes);
        assertThat(received.getValue()).isEqualTo(expected.getValue());
        SocketDriver driver = onLoop(poller::driver);
        // The kernel finishes a partial send on a stream socket itself, so what comes back short is
        // what was written while a send was in flight: both are submitted again from the completion.
        assertThat(onLoop(() -> driver.sendsAgain)).as("sends submitted again for the rest").isPositive();
    }

    @Test
    void closeAndAbortWithRequestsInFlightReleaseTheFdAndEveryBuffer() throws Exception {
        startLoop(4, 1024);
        CompletableFuture<TcpConnection> opened = new CompletableFuture<>();
        TcpServer server = listen(() -> new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection connection) {
                connection.write(ByteBuffer.allocate(8 << 20)); // more than the kernel takes: a send stays in flight
                opened.complete(connection);
            }

            @Override
            public void onRead(TcpConnection connection, ByteBuffer data) {
                // leaves it queued: a receive stays armed, with buffers taken
            }
        });
        onLoop(() -> null); // the listener's watcher and reserve fd are in place
        long fdsBefore = openFds();
        Socket socket = new Socket();
        toClose.add(socket);
        socket.setReceiveBufferSize(8 * 1024);
        socket.connect(server.localAddress(), 10_000);
        socket.getOutputStream().write(new byte[2048]);
        TcpConnection connection = opened.get(20, TimeUnit.SECONDS);
        SocketDriver driver = onLoop(poller::driver);
        awaitOnLoop("a receive and a send in flight", () -> driver.receiving == 1 && connection.queuedBytes() > 0);
        loop.execute(connection::abort);
        awaitOnLoop("the aborted socket's requests completed and its buffers back",
                () -> driver.receiving == 0 && driver.buffers.free() == 4);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (openFds() > fdsBefore + 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(openFds()).as("fds once aborted: the client's is left").isEqualTo(fdsBefore + 1);
        onLoop(() -> {
            assertThat(driver.drained()).as("requests in flight").isFalse(); // the listener's accept
            return null;
        });
    }

    @Test
    void closingTheLoopWithAReceiveAndASendInFlightReleasesEveryFd() throws Exception {
        long fdsBefore = openFds();
        startLoop(4, 1024);
        CompletableFuture<TcpConnection> opened = new CompletableFuture<>();
        TcpServer server = listen(() -> new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection connection) {
                connection.write(ByteBuffer.allocate(8 << 20)); // a send waits in the kernel for room
                opened.complete(connection);
            }

            @Override
            public void onRead(TcpConnection connection, ByteBuffer data) {
                data.position(data.limit());
            }
        });
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(8 * 1024); // and it never reads
            socket.connect(server.localAddress(), 10_000);
            TcpConnection connection = opened.get(20, TimeUnit.SECONDS);
            SocketDriver driver = onLoop(poller::driver);
            awaitOnLoop("a receive and a send in flight", () -> driver.receiving == 1 && connection.queuedBytes() > 0);
            server.close();
            loop.close(); // cancels both, reaps them, then frees the ring and its buffers
            assertThat(loop.isClosed()).isTrue();
        }
        assertThat(openFds()).as("fds once the loop and the client are closed").isEqualTo(fdsBefore);
    }

    @Test
    void aMultishotAcceptThatEndedIsQueuedAgainWhenWanted() throws Exception {
        try (IoUringPoller p = IoUringPoller.open()) {
            ServerSocketHandle listener = listenOnBackend(p, 16);
            IoUringServerSocket server = (IoUringServerSocket) listener;
            ReadyEvents ready = new ReadyEvents(4);
            assertThat(acceptOne(p, listener, ready)).isNotNull();
            assertThat(p.driver().acceptCompletions).isEqualTo(1);
            p.update(listener.source(), 7, Poller.READABLE, 0); // cancels the multishot accept: it ends
            for (int i = 0; i < 100 && server.accepting(); i++) {
                ready.clear();
                p.poll(10_000_000L, ready);
            }
            assertThat(server.accepting()).as("the multishot accept ended").isFalse();
            long before = p.driver().acceptCompletions;
            p.update(listener.source(), 7, 0, Poller.READABLE);
            assertThat(server.accepting()).as("queued again").isTrue();
            assertThat(acceptOne(p, listener, ready)).isNotNull();
            assertThat(p.driver().acceptCompletions).as("accepted through the new request").isGreaterThan(before);
        }
    }

    @Test
    void aSocketClosedWithBytesItCannotSendIsResetAfterItsFlushTimeout() throws Exception {
        try (IoUringPoller p = IoUringPoller.open()) {
            ServerSocketHandle listener = listenOnBackend(p, 16);
            ReadyEvents ready = new ReadyEvents(4);
            Socket client = new Socket();
            client.setReceiveBufferSize(4096); // and it never reads
            toClose.add(client);
            SocketHandle socket = acceptOne(p, listener, ready, client);
            p.update(socket.source(), 8, 0, Poller.READABLE);
            p.driver().closeFlushNanos = TimeUnit.MILLISECONDS.toNanos(200);
            ByteBuffer[] data = {ByteBuffer.allocateDirect(1 << 20)};
            for (int zeros = 0; zeros < 20; ) { // until the kernel's buffers and the staging block are full
                data[0].clear();
                zeros = socket.write(data, 0, 1) == 0 ? zeros + 1 : 0;
                ready.clear();
                p.poll(5_000_000L, ready);
            }
            Path fd = Path.of("/proc/self/fd/" + ((io.weft.loop.core.spi.PollSource.Fd) socket.source()).fd());
            Path inode = Files.readSymbolicLink(fd);
            socket.close();
            assertThat(Files.readSymbolicLink(fd)).as("the fd stays while the staged bytes wait").isEqualTo(inode);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.exists(fd, java.nio.file.LinkOption.NOFOLLOW_LINKS) && inode.equals(Files.readSymbolicLink(fd))
                    && System.nanoTime() < deadline) {
                ready.clear();
                p.poll(-1, ready); // a poll without a timeout still ends at the flush deadline
            }
            assertThat(Files.exists(fd, java.nio.file.LinkOption.NOFOLLOW_LINKS) && inode.equals(Files.readSymbolicLink(fd)))
                    .as("the fd is released once the flush timed out").isFalse();
            client.setSoTimeout(10_000);
            assertThatThrownBy(() -> client.getInputStream().readAllBytes()).hasMessageContaining("reset");
        }
    }

    @Test
    void aLoopThatDoesNotAcceptHoldsAtMostTheBoundAndTheRestWaitInTheBacklog() throws Exception {
        try (IoUringPoller p = IoUringPoller.open()) {
            ServerSocketHandle listener = listenOnBackend(p, 1024);
            IoUringServerSocket server = (IoUringServerSocket) listener;
            ReadyEvents ready = new ReadyEvents(4);
            int clients = 3 * IoUringServerSocket.MAX_QUEUED;
            long fdsBefore = openFds();
            for (int i = 0; i < clients; i++) {
                Socket client = new Socket();
                toClose.add(client);
                client.connect(listener.localAddress(), 10_000); // the kernel completes it from the backlog
                ready.clear();
                p.poll(0, ready); // the loop polls, but takes no connection
            }
            for (int i = 0; i < 100 && server.accepting(); i++) {
                ready.clear();
                p.poll(10_000_000L, ready);
            }
            assertThat(server.accepting()).as("the multishot accept was cancelled at the bound").isFalse();
            assertThat(openFds() - fdsBefore - clients).as("server-side fds accepted and waiting")
                    .isBetween((long) IoUringServerSocket.MAX_QUEUED, IoUringServerSocket.MAX_QUEUED + 8L);

            int accepted = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (accepted < clients && System.nanoTime() < deadline) {
                ready.clear();
                p.poll(10_000_000L, ready);
                for (SocketHandle s; (s = listener.accept()) != null; ) {
                    toClose.add(s);
                    accepted++;
                }
            }
            assertThat(accepted).as("every connection, the held ones and those the backlog kept").isEqualTo(clients);
        }
    }

    /**
     * A listener of the iouring backend on 127.0.0.1 with {@code backlog}, watched for connections by
     * {@code p} with token 7 and by no loop: the test drives the poller by hand.
     */
    private ServerSocketHandle listenOnBackend(IoUringPoller p, int backlog) throws IOException {
        ServerSocketHandle listener = IoUringTcpBackend.INSTANCE.listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new SocketOptions(true, false, true, false, backlog, 0, 0));
        toClose.add(listener);
        p.update(listener.source(), 7, 0, Poller.READABLE);
        return listener;
    }

    private SocketHandle acceptOne(IoUringPoller p, ServerSocketHandle listener, ReadyEvents ready) throws Exception {
        Socket client = new Socket();
        toClose.add(client);
        return acceptOne(p, listener, ready, client);
    }

    private SocketHandle acceptOne(IoUringPoller p, ServerSocketHandle listener, ReadyEvents ready, Socket client)
            throws Exception {
        client.connect(listener.localAddress(), 10_000);
        for (int i = 0; i < 1000; i++) {
            ready.clear();
            p.poll(10_000_000L, ready);
            if (ready.size() > 0) {
                assertThat(ready.token(0)).isEqualTo(7);
                SocketHandle accepted = listener.accept();
                toClose.add(accepted);
                return accepted;
            }
        }
        return null;
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
