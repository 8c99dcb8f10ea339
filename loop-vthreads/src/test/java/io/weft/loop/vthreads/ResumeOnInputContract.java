package io.weft.loop.vthreads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.testkit.ManualClock;
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
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link BlockingSocket#resumeOnInput}: a connection waits for input with no thread, and a fresh
 * virtual thread takes it up when input, end of stream, a reset, a close, the loop's shutdown or
 * the read timeout arrives. On both carriers; run against every poller.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class ResumeOnInputContract extends VThreadsFixture {

    /** A blocking server whose acceptor hands each connection to {@code echoes}. */
    private BlockingServerSocket echoServer(EventLoop loop, ResumingEcho echoes) throws IOException {
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(),
                TcpOptions.defaults().withBacklog(1024)));
        echoes.threads.start(() -> {
            while (true) {
                try {
                    echoes.serve(server.accept());
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
        return server;
    }

    private static Socket jdkClient(BlockingServerSocket server) throws IOException {
        InetSocketAddress address = (InetSocketAddress) server.localAddress();
        Socket socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(30_000); // a broken test fails instead of hanging
        return socket;
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void noByteIsLostOrReorderedOverManyIdleGaps(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        ResumingEcho echoes = new ResumingEcho(VirtualThreads.forLoop(loop, carrier));
        BlockingServerSocket server = echoServer(loop, echoes);
        Random random = new Random(42);
        CRC32 sent = new CRC32();
        CRC32 received = new CRC32();
        int rounds = 300;

        try (Socket client = jdkClient(server)) {
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            for (int round = 0; round < rounds; round++) {
                int total = 0;
                for (int burst = 1 + random.nextInt(3); burst > 0; burst--) { // one write, or a few back to back
                    byte[] chunk = new byte[1 + random.nextInt(random.nextBoolean() ? 64 : 20_000)];
                    random.nextBytes(chunk);
                    sent.update(chunk);
                    out.write(chunk);
                    total += chunk.length;
                }
                byte[] echoed = in.readNBytes(total); // then nothing more is sent: the connection goes idle
                assertThat(echoed).as("round " + round).hasSize(total);
                received.update(echoed);
            }
        }

        assertThat(received.getValue()).isEqualTo(sent.getValue());
        assertThat(echoes.failures).isEmpty();
        assertThat(echoes.ranOn.size()).as("threads per burst, not one per connection").isGreaterThan(rounds / 10);
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void idleConnectionsHoldNoThreadAndResumeWhenInputComes(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        ResumingEcho echoes = new ResumingEcho(VirtualThreads.forLoop(loop, carrier));
        BlockingServerSocket server = echoServer(loop, echoes);
        List<Socket> clients = new ArrayList<>();
        try {
            for (int c = 0; c < 100; c++) {
                Socket client = jdkClient(server);
                clients.add(client);
                client.getOutputStream().write(c);
                assertThat(client.getInputStream().read()).isEqualTo(c);
            }
            awaitTrue(echoes::noneAlive, "every connection thread has ended");
            assertThat(ParkedThreads.of(loop).size()).as("no thread parked either").isZero();
            assertThat(echoes.ranOn).hasSizeGreaterThanOrEqualTo(100);
            assertThat(server.openConnections()).isEqualTo(100);

            for (int c = 0; c < clients.size(); c++) { // every idle connection still serves
                clients.get(c).getOutputStream().write(c + 1);
                assertThat(clients.get(c).getInputStream().read()).isEqualTo(c + 1);
            }
            awaitTrue(echoes::noneAlive, "idle again: no thread");
            assertThat(echoes.failures).isEmpty();
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void inputBufferedBeforeTheCallRunsTheTaskAtOnce(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));

        try (Socket client = jdkClient(server)) {
            BlockingSocket socket = closeLater(server.accept());
            client.getOutputStream().write("early".getBytes(StandardCharsets.US_ASCII));
            awaitTrue(() -> available(socket) == 5, "the bytes are buffered");
            CompletableFuture<String> read = new CompletableFuture<>();
            socket.resumeOnInput(threads, () -> read.complete(readSome(socket)));

            assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo("early"); // nothing more was sent
        }
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void endOfStreamWhileWaitingResumesAReadOfMinusOne(Carrier carrier) throws Exception {
        assertWhatTheResumedReadSees(carrier, (client, socket) -> client.shutdownOutput(), "-1");
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void aResetWhileWaitingResumesAConnectionReset(Carrier carrier) throws Exception {
        assertWhatTheResumedReadSees(carrier, (client, socket) -> {
            client.setSoLinger(true, 0);
            client.close(); // sends RST
        }, "SocketException: Connection reset");
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void aCloseFromAnotherThreadWhileWaitingResumesASocketClosed(Carrier carrier) throws Exception {
        assertWhatTheResumedReadSees(carrier, (client, socket) -> {
            socket.close();
            assertThat(client.getInputStream().read()).as("the peer sees the close").isEqualTo(-1);
        }, "SocketException: Socket closed");
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void anAbortWhileWaitingResumesASocketClosed(Carrier carrier) throws Exception {
        assertWhatTheResumedReadSees(carrier, (client, socket) -> socket.abort(), "SocketException: Socket closed");
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void theLoopShuttingDownWhileWaitingResumesAndTheTaskSeesItClosed(Carrier carrier) throws Exception {
        LoopGroup group = group(1);
        EventLoop loop = group.loops().get(0);
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket server = BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults());

        closeLater(jdkClient(server));
        BlockingSocket socket = server.accept();
        CompletableFuture<String> seen = new CompletableFuture<>();
        socket.resumeOnInput(threads, () -> seen.complete(readSome(socket)));
        assertThat(seen).isNotDone();
        group.close();

        assertThat(seen.get(30, TimeUnit.SECONDS)).startsWith("SocketException: Socket closed: loop '")
                .endsWith("' has shut down");
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void theReadTimeoutResumesWithASocketTimeoutToTheNanosecondAndTheSocketStaysUsable(Carrier carrier)
            throws Exception {
        ManualClock clock = new ManualClock();
        EventLoop loop = loop(clock);
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));
        Duration timeout = Duration.ofSeconds(5);

        try (Socket client = jdkClient(server)) {
            BlockingSocket socket = closeLater(server.accept());
            socket.setReadTimeout(timeout);
            CompletableFuture<String> seen = new CompletableFuture<>();
            socket.resumeOnInput(threads, () -> {
                String first = readSome(socket);
                try {
                    socket.setReadTimeout(Duration.ZERO);
                    socket.write(ByteBuffer.wrap(new byte[] {1})); // tell the client to send
                    seen.complete(first + " then " + readSome(socket));
                } catch (IOException e) {
                    seen.completeExceptionally(e);
                }
            });
            clock.advance(timeout.minusNanos(1));
            wake(loop);
            wake(loop); // an iteration that began after the advance has run the due timers
            assertThat(seen).as("resumed early").isNotDone();
            clock.advance(Duration.ofNanos(1));
            wake(loop);

            assertThat(client.getInputStream().read()).isEqualTo(1);
            client.getOutputStream().write('x');
            assertThat(seen.get(30, TimeUnit.SECONDS)).isEqualTo("SocketTimeoutException: Read timed out then x");
        }
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void misuseFailsFastAndSaysWhat(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));

        closeLater(jdkClient(server));
        closeLater(jdkClient(server));
        {
            BlockingSocket socket = closeLater(server.accept());
            socket.resumeOnInput(threads, () -> { });
            assertThatThrownBy(() -> socket.resumeOnInput(threads, () -> { }))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("resumeOnInput");
            Spawned<Integer> reader = spawn(threads, () -> socket.read(ByteBuffer.allocate(1)));
            assertThat(reader.failure()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("that task reads it");
            assertThatThrownBy(() -> socket.resumeOnInput(VirtualThreads.forLoop(loop(), carrier), () -> { }))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("this socket's loop");

            BlockingSocket read = closeLater(server.accept());
            Spawned<Integer> parked = spawn(threads, () -> read.read(ByteBuffer.allocate(1)));
            awaitParked(parked.thread());
            assertThatThrownBy(() -> read.resumeOnInput(threads, () -> { }))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already reading");
            read.close();
            assertThat(parked.failure()).isInstanceOf(SocketException.class);
            assertThatThrownBy(() -> read.resumeOnInput(threads, () -> { }))
                    .isInstanceOf(SocketException.class).hasMessage("Socket closed");
        }
    }

    @Test
    void aLoopCarriedTaskWokenByInputRunsInsideTheCallbackThatReadIt() throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.LOOP);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));

        try (Socket client = jdkClient(server)) {
            BlockingSocket socket = closeLater(server.accept());
            CompletableFuture<Long> eventsBefore = new CompletableFuture<>();
            CompletableFuture<Long> eventsInTask = new CompletableFuture<>();
            socket.resumeOnInput(threads, () -> {
                eventsInTask.complete(loop.stats().ioEvents()); // on the loop thread, as its writer
                readSome(socket);
            });
            loop.execute(() -> eventsBefore.complete(loop.stats().ioEvents()));
            long before = eventsBefore.get(30, TimeUnit.SECONDS);
            client.getOutputStream().write(7);

            // The loop counts a phase's I/O events when the phase ends: the old count means the task
            // ran inside the read's callback, not as a callback queued after it.
            assertThat(eventsInTask.get(30, TimeUnit.SECONDS)).isEqualTo(before);
        }
    }

    /** What a socket event does to a task waiting for input: the outcome of its first read. */
    private interface Event {
        void happen(Socket client, BlockingSocket socket) throws Exception;
    }

    private void assertWhatTheResumedReadSees(Carrier carrier, Event event, String expected) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));

        try (Socket client = jdkClient(server)) {
            BlockingSocket socket = closeLater(server.accept());
            CompletableFuture<String> seen = new CompletableFuture<>();
            socket.resumeOnInput(threads, () -> seen.complete(readSome(socket)));
            wake(loop);
            assertThat(seen).as("nothing happened yet").isNotDone();
            event.happen(client, socket);

            assertThat(seen.get(30, TimeUnit.SECONDS)).isEqualTo(expected);
        }
    }

    /** One read: the text read, "-1", or the exception's simple class name and message. */
    private static String readSome(BlockingSocket socket) {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        try {
            int n = socket.read(buffer);
            return n < 0 ? "-1" : new String(buffer.array(), 0, n, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static int available(BlockingSocket socket) {
        try {
            return socket.getInputStream().available();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs an empty task on {@code loop} and waits for it: the loop has woken and run an iteration. */
}
