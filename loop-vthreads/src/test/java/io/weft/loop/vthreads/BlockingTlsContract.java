package io.weft.loop.vthreads;

import static io.weft.loop.testkit.TestCertificates.file;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpStats;
import io.weft.loop.core.net.tls.CertificateStore;
import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.loop.core.net.tls.TlsFailure;
import io.weft.loop.core.net.tls.TlsFailureException;
import io.weft.loop.core.net.tls.TlsStats;
import io.weft.loop.testkit.ChecksummedEcho;
import io.weft.loop.testkit.ManualClock;
import io.weft.loop.testkit.TlsBadInput;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Blocking-style sockets over TLS, on both carriers; run against every poller. The peers are this
 * module's own sockets, the JDK's {@link SSLSocket} and {@code openssl s_client}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class BlockingTlsContract extends VThreadsFixture {
    /** How each server-side echo ended: "eof" after reading -1, else the exception. */
    private final LinkedBlockingQueue<Object> echoEnds = new LinkedBlockingQueue<>();

    private static TlsConfig.Builder serverConfig() throws IOException {
        return TlsConfig.builder().certificates(new CertificateStore().loadPem(file("server.pem"), file("server.key")));
    }

    private static TlsConfig.Builder clientConfig() throws IOException {
        return TlsConfig.builder().trustPem(file("ca.pem"));
    }

    /**
     * A blocking TLS echo server: one virtual thread accepts, one per connection echoes through
     * read buffers of random sizes until end of stream, then closes; each end goes to {@link #echoEnds}.
     */
    private BlockingServerSocket echoServer(VirtualThreads threads, EventLoop loop, TcpOptions options, TlsConfig tls)
            throws IOException {
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), options, tls));
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

    private void echo(BlockingSocket socket) {
        Random random = new Random(socket.hashCode());
        try (socket) {
            ByteBuffer buffer = ByteBuffer.allocate(40_000);
            while (socket.read(buffer.clear().limit(1 + random.nextInt(buffer.capacity()))) >= 0) {
                socket.write(buffer.flip());
            }
            echoEnds.add("eof");
        } catch (IOException e) {
            echoEnds.add(e);
        }
    }

    private static BlockingSocket connect(EventLoop loop, BlockingServerSocket server, TlsConfig tls) throws IOException {
        return BlockingSocket.connect(loop, server.localAddress(), "localhost", TcpOptions.defaults(), tls);
    }

    private static SSLSocket jdkClient(BlockingServerSocket server, Socket raw) throws IOException {
        SSLContext context = clientConfig().build().sslContext();
        raw.setSoTimeout(30_000); // a broken test fails instead of hanging
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(raw, "localhost", raw.getPort(), false);
        socket.startHandshake();
        return socket;
    }

    private static Socket rawClient(BlockingServerSocket server) throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort());
    }

    // ------------------------------------------------------------------ data

    /**
     * A TLS connection that waits for input with no thread ({@link BlockingSocket#resumeOnInput})
     * loses nothing over many idle gaps, holds no thread while idle, and its resumed task reads the
     * peer's close_notify as end of stream.
     */
    @ParameterizedTest
    @EnumSource(Carrier.class)
    void aTlsSocketWaitsForInputWithNoThreadAndLosesNothing(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        ResumingEcho echoes = new ResumingEcho(VirtualThreads.forLoop(loop, carrier));
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults(),
                serverConfig().build()));
        Spawned<BlockingSocket> accepting = spawn(echoes.threads, server::accept);
        Random random = new Random(3);
        java.util.zip.CRC32 sent = new java.util.zip.CRC32();
        java.util.zip.CRC32 received = new java.util.zip.CRC32();

        try (Socket raw = rawClient(server)) {
            SSLSocket tls = jdkClient(server, raw);
            BlockingSocket socket = accepting.join();
            echoes.serve(socket);
            for (int round = 0; round < 100; round++) {
                byte[] chunk = new byte[1 + random.nextInt(random.nextBoolean() ? 64 : 40_000)];
                random.nextBytes(chunk);
                sent.update(chunk);
                tls.getOutputStream().write(chunk);
                tls.getOutputStream().flush();
                byte[] echoed = tls.getInputStream().readNBytes(chunk.length);
                received.update(echoed);
                awaitTrue(echoes::noneAlive, "idle: no thread"); // the next chunk finds the socket without one
            }
            assertThat(received.getValue()).isEqualTo(sent.getValue());
            tls.shutdownOutput(); // close_notify: the resumed task reads -1 and closes
            assertThat(tls.getInputStream().read()).isEqualTo(-1);
            awaitTrue(socket::isClosed, "the task read the end of stream and closed");
        }
        assertThat(echoes.failures).isEmpty();
        assertThat(echoes.ranOn.size()).as("a thread per chunk at least (a chunk may come in parts), and one for the end")
                .isGreaterThanOrEqualTo(101);
    }


    @ParameterizedTest
    @EnumSource(Carrier.class)
    void echoesByteExactWithRandomChunkingOnBothSides(Carrier carrier) throws Exception {
        EventLoop serverLoop = loop();
        EventLoop clientLoop = loop();
        BlockingServerSocket server = echoServer(VirtualThreads.forLoop(serverLoop, carrier), serverLoop,
                TcpOptions.defaults(), serverConfig().build());
        VirtualThreads clients = VirtualThreads.forLoop(clientLoop, carrier);
        TlsConfig tls = clientConfig().build();
        List<Spawned<byte[]>> received = new ArrayList<>();
        List<byte[]> sent = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            byte[] payload = new byte[3 * 1024 * 1024 + c * 4099];
            Random random = new Random(c);
            random.nextBytes(payload);
            sent.add(payload);
            BlockingSocket socket = connect(clientLoop, server, tls);
            spawn(clients, () -> { // the writer: chunks of 1 byte to 40 KB
                for (int offset = 0; offset < payload.length; ) {
                    int n = Math.min(payload.length - offset, 1 + random.nextInt(40_000));
                    socket.write(ByteBuffer.wrap(payload, offset, n));
                    offset += n;
                }
                socket.shutdownOutput(); // close_notify, then FIN
                return true;
            });
            received.add(spawn(clients, () -> { // the reader: buffers of 1 byte to 30 KB
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                byte[] chunk = new byte[30_000];
                try (socket) {
                    for (int n; (n = socket.getInputStream().read(chunk, 0, 1 + random.nextInt(chunk.length))) >= 0; ) {
                        all.write(chunk, 0, n);
                    }
                }
                return all.toByteArray();
            }));
        }

        for (int c = 0; c < sent.size(); c++) {
            assertThat(received.get(c).join()).isEqualTo(sent.get(c));
            assertThat(echoEnds.poll(30, TimeUnit.SECONDS)).isEqualTo("eof");
        }
        assertThat(TlsStats.of(serverLoop).handshakes()).isEqualTo(3);
        assertThat(TlsStats.of(serverLoop).failures(TlsFailure.TRUNCATION)).isZero();
        assertThat(TlsStats.of(clientLoop).failures(TlsFailure.TRUNCATION)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void sixtyFourMebibytesAreEchoedByABlockingTlsServerWithMatchingChecksums(Carrier carrier) throws Exception {
        EventLoop serverLoop = loop();
        EventLoop clientLoop = loop();
        BlockingServerSocket server = echoServer(VirtualThreads.forLoop(serverLoop, carrier), serverLoop,
                TcpOptions.defaults(), serverConfig().build());
        VirtualThreads clients = VirtualThreads.forLoop(clientLoop, carrier);
        BlockingSocket socket = connect(clientLoop, server, clientConfig().build());
        Spawned<Integer> client = spawn(clients, () -> { // reads here, writes on a thread of its own
            try (socket) {
                ChecksummedEcho.assertEchoed(socket.getInputStream(), socket.getOutputStream(), 64L << 20, clients::start);
                socket.shutdownOutput(); // close_notify: the echo ends, and closes with its own
                return socket.read(ByteBuffer.allocate(1));
            }
        });
        assertThat(client.outcome().get(150, TimeUnit.SECONDS)).as("end of stream after the echo").isEqualTo(-1);
        assertThat(echoEnds.poll(30, TimeUnit.SECONDS)).isEqualTo("eof");
        assertThat(TlsStats.of(serverLoop).failures(TlsFailure.TRUNCATION)).isZero();
        assertThat(TlsStats.of(clientLoop).failures(TlsFailure.TRUNCATION)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void aSlowReaderHoldsBoundedPlaintextAndParksTheWriter(Carrier carrier) throws Exception {
        EventLoop serverLoop = loop();
        EventLoop clientLoop = loop();
        TcpOptions options = TcpOptions.defaults().withWriteWatermarks(8 * 1024, 16 * 1024);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(serverLoop, loopback(), options,
                serverConfig().build()));
        byte[] payload = new byte[16 * 1024 * 1024];
        new Random(5).nextBytes(payload);
        BlockingSocket client = BlockingSocket.connect(clientLoop, server.localAddress(), "localhost", options,
                clientConfig().build());
        BlockingSocket accepted = server.accept();
        Spawned<Boolean> writer = spawn(VirtualThreads.forLoop(clientLoop, carrier), () -> {
            try (client) {
                client.write(ByteBuffer.wrap(payload));
            }
            return true;
        });

        // Nobody reads on the server: its socket stops reading, TCP's windows fill, the writer parks.
        awaitTrue(() -> buffered(accepted) > BlockingSocket.MAX_INBOUND, "the server buffers what it may");
        awaitParked(writer.thread());
        for (int i = 0; i < 10; i++) {
            assertThat(buffered(accepted)).as("plaintext buffered, unread")
                    .isLessThanOrEqualTo(BlockingSocket.MAX_INBOUND + 16 * 1024); // at most one record more
            assertThat(client.queuedBytes().get(30, TimeUnit.SECONDS)).as("encrypted bytes queued")
                    .isLessThanOrEqualTo(16 * 1024 + 1 + 256); // the watermark, plus one write's record headers
        }
        assertThat(writer.outcome()).isNotDone();

        Spawned<byte[]> reader = spawn(VirtualThreads.forLoop(serverLoop, carrier), () -> {
            try (accepted) {
                return accepted.getInputStream().readAllBytes();
            }
        });
        assertThat(reader.join()).isEqualTo(payload);
        assertThat(writer.join()).isTrue();
    }

    /** The plaintext {@code socket} received and no one read yet. */
    private static int buffered(BlockingSocket socket) {
        try {
            return socket.getInputStream().available();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The peer resets while the socket has stopped reading (it buffered all it may), so the loop
     * has not seen the reset when a large write comes: the first record's flush meets it and closes
     * TCP. The writer gets the reset as an {@link IOException}, never an {@link
     * IllegalStateException} from writing the next record to the closed TCP connection.
     */
    @ParameterizedTest
    @EnumSource(Carrier.class)
    void aResetMetByAWriteOfManyRecordsIsAnIoException(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults(),
                serverConfig().build()));
        Socket raw = rawClient(server);
        BlockingSocket socket;
        try {
            SSLSocket client = jdkClient(server, raw);
            socket = server.accept();
            client.getOutputStream().write(new byte[BlockingSocket.MAX_INBOUND + 32 * 1024]);
            client.getOutputStream().flush();
            awaitTrue(() -> buffered(socket) > BlockingSocket.MAX_INBOUND, "the socket buffers what it may, then pauses");
            raw.setSoLinger(true, 0);
        } finally {
            raw.close(); // RST, with linger 0; the socket reads nothing, so the loop does not see it yet
        }

        Spawned<Throwable> writer = spawn(VirtualThreads.forLoop(loop, carrier), () -> {
            try (socket) {
                socket.write(ByteBuffer.allocate(64 * 1024)); // four records
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        assertThat(writer.join()).as("what the writer got").isInstanceOf(IOException.class);
    }

    // ------------------------------------------------------------------ handshake

    /**
     * A blocking client against a blocking server, each offering TLS 1.3, 1.2 or both: the highest
     * version both offer is negotiated and seen on both sides; with none in common the client's
     * connect throws and the server counts the failure, and nothing reaches its acceptor.
     */
    @ParameterizedTest(name = "server {0}, client {1}: {2}")
    @CsvSource(delimiter = '|', nullValues = "refused", value = {
        "TLSv1.3,TLSv1.2 | TLSv1.3,TLSv1.2 | TLSv1.3",
        "TLSv1.3,TLSv1.2 | TLSv1.2         | TLSv1.2",
        "TLSv1.3,TLSv1.2 | TLSv1.3         | TLSv1.3",
        "TLSv1.2         | TLSv1.3,TLSv1.2 | TLSv1.2",
        "TLSv1.3         | TLSv1.3,TLSv1.2 | TLSv1.3",
        "TLSv1.2         | TLSv1.2         | TLSv1.2",
        "TLSv1.3         | TLSv1.3         | TLSv1.3",
        "TLSv1.2         | TLSv1.3         | refused",
        "TLSv1.3         | TLSv1.2         | refused",
    })
    void theHandshakeMatrixNegotiatesTheHighestCommonVersionOnBothSides(String serverProtocols, String clientProtocols,
            String expected) throws Exception {
        EventLoop serverLoop = loop();
        EventLoop clientLoop = loop();
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(serverLoop, loopback(), TcpOptions.defaults(),
                serverConfig().protocols(serverProtocols.split(",")).build()));
        TlsConfig clientTls = clientConfig().protocols(clientProtocols.split(",")).build();
        if (expected == null) {
            Throwable failure = catchIo(() -> connect(clientLoop, server, clientTls));
            assertThat(failure).isInstanceOf(TlsFailureException.class);
            assertThat(((TlsFailureException) failure).failure()).isEqualTo(TlsFailure.PROTOCOL);
            awaitTrue(() -> TlsStats.of(serverLoop).failures(TlsFailure.PROTOCOL) == 1, "the server counts the refusal");
            server.setAcceptTimeout(Duration.ofMillis(1));
            assertThat(catchIo(server::accept)).isInstanceOf(SocketTimeoutException.class);
            assertThat(TlsStats.of(serverLoop).handshakes() + TlsStats.of(clientLoop).handshakes()).isZero();
            return;
        }
        byte[] message = ("over " + expected).getBytes(StandardCharsets.US_ASCII);
        Spawned<String> serverSide = spawn(VirtualThreads.forLoop(serverLoop, Carrier.LOOP), () -> {
            try (BlockingSocket socket = server.accept()) {
                socket.getOutputStream().write(socket.getInputStream().readNBytes(message.length));
                return socket.tlsSession().orElseThrow().getProtocol();
            }
        });
        try (BlockingSocket client = connect(clientLoop, server, clientTls)) {
            assertThat(client.tlsSession().orElseThrow().getProtocol()).isEqualTo(expected);
            client.getOutputStream().write(message);
            assertThat(client.getInputStream().readNBytes(message.length)).isEqualTo(message);
        }
        assertThat(serverSide.join()).as("the server's session").isEqualTo(expected);
        assertThat(TlsStats.of(serverLoop).handshakes()).isEqualTo(1);
        assertThat(TlsStats.of(clientLoop).handshakes()).isEqualTo(1);
    }

    @Test
    void alpnAndTheSessionAreSeenOnBothSides() throws Exception {
        EventLoop loop = loop();
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults(),
                serverConfig().applicationProtocols("h2", "http/1.1").build()));
        Spawned<BlockingSocket> accepted = spawn(VirtualThreads.forLoop(loop, Carrier.POOL), server::accept);
        try (BlockingSocket client = connect(loop, server,
                clientConfig().applicationProtocols("http/1.1", "h2").build());
                BlockingSocket serverSide = accepted.join()) {
            assertThat(client.applicationProtocol()).isEqualTo("h2"); // the server's first choice the client offers
            assertThat(serverSide.applicationProtocol()).isEqualTo("h2");
            assertThat(client.tlsSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(serverSide.tlsSession().orElseThrow().getCipherSuite())
                    .isEqualTo(client.tlsSession().orElseThrow().getCipherSuite());
            assertThat(client.tlsSession().orElseThrow().getPeerPrincipal().getName()).isEqualTo("CN=localhost");
        }
        BlockingServerSocket plain = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults()));
        try (BlockingSocket client = BlockingSocket.connect(loop, plain.localAddress(), TcpOptions.defaults());
                BlockingSocket serverSide = plain.accept()) {
            assertThat(client.tlsSession()).isEmpty();
            assertThat(serverSide.applicationProtocol()).isEmpty();
        }
    }

    @Test
    void aNameTheCertificateDoesNotCoverFailsTheConnectAndNeverReachesAnAcceptor() throws Exception {
        EventLoop loop = loop();
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults(),
                serverConfig().build()));
        server.setAcceptTimeout(java.time.Duration.ofMillis(1));

        Throwable failure = catchIo(() -> BlockingSocket.connect(loop, server.localAddress(), "other.test",
                TcpOptions.defaults(), clientConfig().build()));
        assertThat(failure).isInstanceOf(TlsFailureException.class);
        assertThat(((TlsFailureException) failure).failure()).isEqualTo(TlsFailure.CERTIFICATE);
        awaitTrue(() -> TlsStats.of(loop).failures(TlsFailure.CERTIFICATE) == 2, "the client's and the server's side count it");
        assertThat(catchIo(server::accept)).isInstanceOf(java.net.SocketTimeoutException.class);

        // The same name without verification: the check above is the hostname's, not the trust's.
        try (BlockingSocket unchecked = BlockingSocket.connect(loop, server.localAddress(), "other.test",
                TcpOptions.defaults(), clientConfig().hostnameVerification(false).build())) {
            assertThat(unchecked.tlsSession()).isPresent();
            server.setAcceptTimeout(java.time.Duration.ZERO);
            server.accept().close();
        }
    }

    @Test
    void anUntrustedServerFailsTheConnect() throws Exception {
        EventLoop loop = loop();
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults(),
                TlsConfig.builder().certificates(new CertificateStore().loadPem(file("untrusted.pem"), file("untrusted.key")))
                        .build()));
        Throwable failure = catchIo(() -> connect(loop, server, clientConfig().build()));
        assertThat(failure).isInstanceOf(TlsFailureException.class);
        assertThat(((TlsFailureException) failure).failure()).isEqualTo(TlsFailure.CERTIFICATE);
    }

    private interface IoCall {
        Object call() throws IOException;
    }

    private static Throwable catchIo(IoCall call) {
        try {
            Object result = call.call();
            throw new AssertionError("expected an IOException, got " + result);
        } catch (IOException e) {
            return e;
        }
    }

    // ------------------------------------------------------------------ bad input

    /** What a client that fails its handshake does over its raw TCP socket. */
    private interface BadClient {
        void misbehave(Socket raw) throws Exception;
    }

    /** Sends {@code bytes} and reads to the server's FIN: an alert at most, never an answer. */
    private static BadClient sending(byte[] bytes) {
        return raw -> {
            raw.getOutputStream().write(bytes);
            byte[] answer = raw.getInputStream().readAllBytes();
            assertThat(answer).as("an alert at most").hasSizeLessThan(64);
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP");
        };
    }

    /**
     * A bad client on a TLS server with a thread parked in {@link BlockingServerSocket#accept()}:
     * the server closes that connection and counts it as {@code expected}; the acceptor stays parked
     * until a good client, connecting right after, is accepted and served.
     */
    private void assertOnlyTheBadClientIsClosed(EventLoop loop, Carrier carrier, TlsConfig config, BadClient bad,
            TlsFailure expected) throws Exception {
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults(), config));
        byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
        Spawned<String> acceptor = spawn(VirtualThreads.forLoop(loop, carrier), () -> {
            try (BlockingSocket socket = server.accept()) {
                byte[] got = socket.getInputStream().readNBytes(hello.length);
                socket.getOutputStream().write(got);
                return new String(got, StandardCharsets.US_ASCII);
            }
        });
        awaitParked(acceptor.thread());
        try (Socket raw = rawClient(server)) {
            raw.setSoTimeout(30_000); // a broken test fails instead of hanging
            bad.misbehave(raw);
        }
        awaitTrue(() -> TlsStats.of(loop).failures(expected) == 1, "the server counts " + expected);
        awaitTrue(() -> TcpStats.of(loop).openConnections() == 0, "the server closed the bad connection");
        assertThat(acceptor.outcome()).as("the acceptor, still parked").isNotDone();

        try (Socket raw = rawClient(server); SSLSocket good = jdkClient(server, raw)) {
            good.getOutputStream().write(hello);
            assertThat(good.getInputStream().readNBytes(hello.length)).isEqualTo(hello);
        }
        // Parked before the bad client came, the acceptor would have been handed the bad connection first.
        assertThat(acceptor.join()).as("what the acceptor served").isEqualTo("hello");
        assertThat(TlsStats.of(loop).handshakes()).isEqualTo(1);
        assertThat(TlsStats.of(loop).failures(expected)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void plaintextHttpClosesThatConnectionOnly(Carrier carrier) throws Exception {
        assertOnlyTheBadClientIsClosed(loop(), carrier, serverConfig().build(), sending(TlsBadInput.plaintextHttp()),
                TlsFailure.NOT_TLS);
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void garbageInsteadOfAClientHelloClosesThatConnectionOnly(Carrier carrier) throws Exception {
        assertOnlyTheBadClientIsClosed(loop(), carrier, serverConfig().build(), sending(TlsBadInput.garbageClientHello()),
                TlsFailure.PROTOCOL);
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void anOversizedRecordClosesThatConnectionOnly(Carrier carrier) throws Exception {
        assertOnlyTheBadClientIsClosed(loop(), carrier, serverConfig().build(), sending(TlsBadInput.oversizedRecordHeader()),
                TlsFailure.BAD_RECORD);
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void aResetMidHandshakeClosesThatConnectionOnly(Carrier carrier) throws Exception {
        assertOnlyTheBadClientIsClosed(loop(), carrier, serverConfig().build(), raw -> {
            raw.getOutputStream().write(TlsBadInput.halfAClientHello());
            raw.setSoLinger(true, 0); // the close resets
        }, TlsFailure.HANDSHAKE_ABORTED);
    }

    /** A client that connects and says nothing times out on the loop's clock, to the nanosecond. */
    @ParameterizedTest
    @EnumSource(Carrier.class)
    void aStalledHandshakeTimesOutOnTheLoopsClock(Carrier carrier) throws Exception {
        ManualClock clock = new ManualClock();
        EventLoop loop = loop(clock);
        Duration timeout = Duration.ofSeconds(5);
        assertOnlyTheBadClientIsClosed(loop, carrier, serverConfig().handshakeTimeout(timeout).build(), raw -> {
            awaitTrue(() -> TcpStats.of(loop).openConnections() == 1, "the server accepted the connection");
            wake(loop); // after the callback that armed the handshake's timer
            clock.advance(timeout.minusNanos(1));
            wake(loop);
            wake(loop); // an iteration that began after the advance has run the due timers
            assertThat(TlsStats.of(loop).failures(TlsFailure.HANDSHAKE_TIMEOUT)).as("timed out early").isZero();
            clock.advance(Duration.ofNanos(1));
            wake(loop);
            assertThat(raw.getInputStream().readAllBytes()).as("an alert at most, then the server's FIN").hasSizeLessThan(64);
        }, TlsFailure.HANDSHAKE_TIMEOUT);
    }

    /** Runs an empty task on {@code loop} and waits for it: the loop has woken and run an iteration. */

    // ------------------------------------------------------------------ closing

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void aFinWithoutCloseNotifyIsATruncationNotAnEndOfStream(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults(),
                serverConfig().build()));
        Spawned<BlockingSocket> accepting = spawn(VirtualThreads.forLoop(loop, carrier), server::accept);
        try (Socket raw = rawClient(server)) {
            SSLSocket tls = jdkClient(server, raw);
            tls.getOutputStream().write("cut he".getBytes(StandardCharsets.US_ASCII));
            tls.getOutputStream().flush();
            BlockingSocket socket = accepting.join();
            Spawned<String> reader = spawn(VirtualThreads.forLoop(loop, carrier), () -> {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                byte[] chunk = new byte[100];
                try (socket) {
                    for (int n; (n = socket.getInputStream().read(chunk)) >= 0; ) {
                        got.write(chunk, 0, n);
                    }
                    return "eof after " + got;
                } catch (SocketException e) {
                    return got + " | " + e.getMessage() + " | " + e.getCause();
                }
            });
            raw.shutdownOutput(); // FIN, below TLS, after the record: no close_notify

            String outcome = reader.join();
            assertThat(outcome).startsWith("cut he | TRUNCATION: ").contains(TlsFailureException.class.getName());
        }
        assertThat(TlsStats.of(loop).failures(TlsFailure.TRUNCATION)).isEqualTo(1);
    }

    /**
     * The peer sends more than the socket buffers, then close_notify and FIN, all before anything
     * is read: the socket pauses reading with records (the close_notify among them) still unread
     * by TLS, and when reading resumes TCP reads the FIN before it hands them back. That FIN is
     * judged after those records: a clean end of stream, not a truncation.
     */
    @ParameterizedTest
    @EnumSource(Carrier.class)
    void aCloseNotifyBehindUnreadPlaintextIsEndOfStreamNotTruncation(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults(),
                serverConfig().build()));
        for (int c = 0; c < 12; c++) {
            byte[] payload = new byte[BlockingSocket.MAX_INBOUND + 2_000 + c * 9_000];
            new Random(c).nextBytes(payload);
            try (Socket raw = rawClient(server)) {
                SSLSocket client = jdkClient(server, raw);
                BlockingSocket socket = server.accept();
                client.getOutputStream().write(payload);
                client.close(); // close_notify (the raw socket stays open: layered without autoClose)
                raw.shutdownOutput(); // then FIN
                awaitTrue(() -> buffered(socket) > BlockingSocket.MAX_INBOUND, "the socket buffers what it may, then pauses");
                Spawned<byte[]> reader = spawn(threads, () -> {
                    try (socket) {
                        return socket.getInputStream().readAllBytes();
                    }
                });
                assertThat(reader.join()).isEqualTo(payload);
            }
        }
        assertThat(TlsStats.of(loop).failures(TlsFailure.TRUNCATION)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void closeNotifyBothWaysOverTls13EndsEachDirectionCleanly(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults(),
                serverConfig().build()));
        Spawned<String> serverSide = spawn(threads, () -> {
            try (BlockingSocket socket = server.accept()) {
                String got = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII); // to close_notify
                socket.getOutputStream().write(("got " + got).getBytes(StandardCharsets.US_ASCII)); // still writable
                return got;
            } // close(): close_notify, then FIN
        });
        try (Socket raw = rawClient(server); SSLSocket client = jdkClient(server, raw)) {
            assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.3");
            client.getOutputStream().write("question".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput(); // the JDK's half-close: close_notify
            assertThat(serverSide.join()).isEqualTo("question");
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("got question");
        }
        assertThat(TlsStats.of(loop).failures(TlsFailure.TRUNCATION)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void shutdownOutputSendsCloseNotifyAndTheSocketReadsThePeersOwn(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults(),
                serverConfig().build()));
        Spawned<String> serverSide = spawn(threads, () -> {
            try (Socket raw = rawClient(server); SSLSocket peer = jdkClient(server, raw)) {
                String got = new String(peer.getInputStream().readAllBytes(), StandardCharsets.US_ASCII); // -1 on close_notify
                peer.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
                peer.shutdownOutput();
                return got;
            }
        });
        try (BlockingSocket socket = server.accept()) {
            spawn(threads, () -> {
                socket.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
                socket.shutdownOutput();
                return true;
            }).join();
            assertThat(serverSide.join()).isEqualTo("hello");
            assertThat(spawn(threads, () -> new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .join()).isEqualTo("bye");
        }
        assertThat(TlsStats.of(loop).failures(TlsFailure.TRUNCATION)).isZero();
    }

    @Test
    void overTls12ThePeersCloseNotifyEndsBothDirections() throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.LOOP);
        BlockingServerSocket server = closeLater(BlockingServerSocket.listen(loop, loopback(), TcpOptions.defaults(),
                serverConfig().protocols("TLSv1.2").build()));
        BlockingSocket client = BlockingSocket.connect(loop, server.localAddress(), "localhost", TcpOptions.defaults(),
                clientConfig().build());
        try (BlockingSocket accepted = server.accept()) {
            assertThat(accepted.tlsSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.2");
            spawn(threads, () -> {
                client.shutdownOutput();
                return true;
            }).join();
            Spawned<Throwable> serverSide = spawn(threads, () -> {
                assertThat(accepted.read(ByteBuffer.allocate(10))).isEqualTo(-1);
                try {
                    accepted.write(ByteBuffer.wrap(new byte[] {1}));
                    return null;
                } catch (SocketException e) {
                    return e;
                }
            });
            assertThat(serverSide.join()).as("a TLS 1.2 close_notify closes this side too").isNotNull()
                    .hasMessage("Socket closed");
            assertThat(spawn(threads, () -> client.read(ByteBuffer.allocate(10))).join()).isEqualTo(-1);
        }
        client.close();
        assertThat(TlsStats.of(loop).failures(TlsFailure.TRUNCATION)).isZero();
    }

    // ------------------------------------------------------------------ a client nobody here wrote

    @Test
    void opensslSClientTalksToABlockingTlsServer() throws Exception {
        EventLoop loop = loop();
        BlockingServerSocket server = echoServer(VirtualThreads.forLoop(loop, Carrier.LOOP), loop, TcpOptions.defaults(),
                serverConfig().applicationProtocols("http/1.1").build());
        for (String version : List.of("-tls1_3", "-tls1_2")) {
            Process sClient = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort(),
                    "-CAfile", file("ca.pem").toString(), "-verify_return_error", "-servername", "localhost",
                    "-alpn", "http/1.1", version).redirectErrorStream(true).start();
            sClient.getOutputStream().write("ping over blocking tls\n".getBytes(StandardCharsets.US_ASCII));
            sClient.getOutputStream().flush();
            StringBuilder output = new StringBuilder();
            BufferedReader lines = new BufferedReader(new InputStreamReader(sClient.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null && !line.equals("ping over blocking tls"); ) {
                output.append(line).append('\n');
            }
            sClient.getOutputStream().close(); // end of input: s_client sends close_notify and exits
            lines.lines().forEach(line -> output.append(line).append('\n'));
            assertThat(sClient.waitFor()).as(output.toString()).isZero();
            String protocol = version.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2";
            assertThat(output.toString()).as("s_client's output").contains("Protocol  : " + protocol,
                    "ALPN protocol: http/1.1", "Verify return code: 0 (ok)");
            assertThat(echoEnds.poll(30, TimeUnit.SECONDS)).as("the echo read close_notify as end of stream").isEqualTo("eof");
        }
        assertThat(TlsStats.of(loop).failures(TlsFailure.TRUNCATION)).isZero();
    }
}
