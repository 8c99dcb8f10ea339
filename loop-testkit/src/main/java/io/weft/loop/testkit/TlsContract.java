package io.weft.loop.testkit;

import io.weft.loop.core.net.tls.*;
import static io.weft.loop.testkit.TestCertificates.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.RunMode;
import io.weft.loop.core.net.CloseReason;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TLS contract, run against every backend: real sockets on loopback, the JDK's SSLSocket, this
 * package's own client, and {@code openssl s_client} and {@code curl} as clients nobody here wrote.
 * A backend's test extends it and names its poller.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class TlsContract {
    /** For a subclass, which names the poller the suite runs on. */
    protected TlsContract() {
    }


    /** {@return the poller (and so the TCP backend) under test} */
    protected abstract String pollerName();

    private final List<LoopGroup> groups = new ArrayList<>();
    private final List<AutoCloseable> servers = new ArrayList<>();
    private final List<EventLoop> loops = new ArrayList<>();
    private final LinkedBlockingQueue<Throwable> loopErrors = new LinkedBlockingQueue<>();
    /** What the server handlers saw close: the cause, or the reason when there is none. */
    private final LinkedBlockingQueue<Object> serverCloses = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<String> serverEvents = new LinkedBlockingQueue<>();

    private LoopGroup group() {
        LoopGroup group = LoopGroup.builder().size(1).name("tls-test").poller(pollerName())
                .exceptionHandler((loop, task, error) -> loopErrors.add(error)).build();
        groups.add(group);
        return group;
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable server : servers) {
            server.close();
        }
        for (LoopGroup group : groups) {
            group.close();
            for (EventLoop loop : group) {
                assertThat(TcpStats.of(loop).openConnections()).as("connections left open").isZero();
                assertThat(loop.stats().liveWatchers()).as("watchers left open").isZero();
            }
        }
        for (EventLoop loop : loops) {
            loop.close();
        }
        assertThat(loopErrors).as("errors thrown on a loop").isEmpty();
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private static CertificateStore serverCertificates() throws IOException {
        return new CertificateStore().loadPem(file("server.pem"), file("server.key"));
    }

    private static TlsConfig.Builder serverConfig() throws IOException {
        return TlsConfig.builder().certificates(serverCertificates());
    }

    private static TlsConfig.Builder clientConfig() throws IOException {
        return TlsConfig.builder().trustPem(file("ca.pem"));
    }

    /** Echoes plaintext, pausing reads while unwritable; reports opens, close_notify and closes. */
    final class Echo implements TlsHandler {
        @Override
        public void onOpen(TlsConnection connection) {
            serverEvents.add("open " + connection.session().getProtocol() + " alpn=" + connection.applicationProtocol());
        }

        @Override
        public void onRead(TlsConnection connection, ByteBuffer data) {
            connection.write(data);
            if (!connection.isWritable()) {
                connection.pauseReading();
            }
        }

        @Override
        public void onWritabilityChanged(TlsConnection connection, boolean writable) {
            if (writable) {
                connection.resumeReading();
            }
        }

        @Override
        public void onInputClosed(TlsConnection connection) {
            serverEvents.add("close_notify");
            connection.close();
        }

        @Override
        public void onClose(TlsConnection connection, CloseReason reason, Throwable cause) {
            serverCloses.add(cause != null ? cause : reason);
        }
    }

    private TlsServer echoServer(TlsConfig config) throws IOException {
        return echoServer(group(), config);
    }

    private TlsServer echoServer(LoopGroup group, TlsConfig config) throws IOException {
        TlsServer server = TlsServer.listen(group, loopback(), TcpOptions.defaults(), config, Echo::new);
        servers.add(server);
        return server;
    }

    /** A client handler that collects plaintext and reports its close. */
    static class Collecting implements TlsHandler {
        final StringBuilder received = new StringBuilder();
        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final CompletableFuture<Object> closed = new CompletableFuture<>();

        @Override
        public void onRead(TlsConnection connection, ByteBuffer data) {
            while (data.hasRemaining()) {
                char c = (char) data.get();
                if (c == '\n') {
                    lines.add(received.toString());
                    received.setLength(0);
                } else {
                    received.append(c);
                }
            }
        }

        @Override
        public void onClose(TlsConnection connection, CloseReason reason, Throwable cause) {
            closed.complete(cause != null ? cause : reason);
        }
    }

    private static CompletableFuture<TlsConnection> connect(LoopGroup group, TlsServer server, String serverName,
            TlsConfig config, TlsHandler handler) {
        return TlsConnection.connect(group.next(), server.localAddress(), serverName, TcpOptions.defaults(), config, handler);
    }

    private static <T> T onLoop(EventLoop loop, java.util.concurrent.Callable<T> task) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return task.call();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, loop).get(10, TimeUnit.SECONDS);
    }

    /** Sends a line over the client connection and waits for its echo. */
    private static void assertEchoes(TlsConnection connection, Collecting client, String line) throws Exception {
        connection.loop().execute(() -> connection.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8))));
        assertThat(client.lines.poll(10, TimeUnit.SECONDS)).isEqualTo(line);
    }

    private static TlsFailure failureOf(Object closed) {
        assertThat(closed).isInstanceOf(TlsFailureException.class);
        return ((TlsFailureException) closed).failure();
    }

    private static String commonName(TlsConnection connection) throws Exception {
        X509Certificate leaf = (X509Certificate) connection.session().getPeerCertificates()[0];
        return leaf.getSubjectX500Principal().getName();
    }

    // ------------------------------------------------------------------ handshakes

    @Test
    void tls13AndTls12HandshakeAndEchoWithTheLoopsOwnClient() throws Exception {
        LoopGroup group = group();
        TlsServer server = echoServer(group, serverConfig().build());
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            Collecting client = new Collecting();
            TlsConnection connection = connect(group, server, "localhost", clientConfig().protocols(protocol).build(), client)
                    .get(10, TimeUnit.SECONDS);
            assertThat(connection.session().getProtocol()).isEqualTo(protocol);
            assertThat(serverEvents.poll(10, TimeUnit.SECONDS)).isEqualTo("open " + protocol + " alpn=");
            assertEchoes(connection, client, "hello over " + protocol);
            connection.loop().execute(connection::close);
            assertThat(client.closed.get(10, TimeUnit.SECONDS)).isEqualTo(CloseReason.LOCAL_CLOSE);
            assertThat(serverEvents.poll(10, TimeUnit.SECONDS)).isEqualTo("close_notify");
            assertThat(serverCloses.poll(10, TimeUnit.SECONDS)).isIn(CloseReason.PEER_CLOSED, CloseReason.LOCAL_CLOSE);
        }
        assertThat(TlsStats.of(group.next()).handshakes()).isEqualTo(4); // both ends of both connections
    }

    @Test
    void alpnLetsTheServerPickFromTheClientsListAndBothHandlersSeeIt() throws Exception {
        LoopGroup group = group();
        TlsServer server = echoServer(group, serverConfig().applicationProtocols("h2", "http/1.1").build());
        TlsConnection connection = connect(group, server, "localhost",
                clientConfig().applicationProtocols("http/1.1", "h2").build(), new Collecting()).get(10, TimeUnit.SECONDS);
        assertThat(connection.applicationProtocol()).isEqualTo("h2");
        assertThat(serverEvents.poll(10, TimeUnit.SECONDS)).isEqualTo("open TLSv1.3 alpn=h2");
        onLoop(connection.loop(), () -> { connection.close(); return null; });
    }

    @Test
    void aClientOfferingNoProtocolTheServerSpeaksIsRefused() throws Exception {
        LoopGroup group = group();
        TlsServer server = echoServer(group, serverConfig().applicationProtocols("h2").build());
        Collecting client = new Collecting();
        CompletableFuture<TlsConnection> connecting = connect(group, server, "localhost",
                clientConfig().applicationProtocols("spdy/3").build(), client);
        assertThatThrownBy(() -> connecting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        assertThat(failureOf(serverCloses.poll(10, TimeUnit.SECONDS))).isEqualTo(TlsFailure.PROTOCOL);
        assertThat(((Throwable) client.closed.get(10, TimeUnit.SECONDS)).getCause()).hasMessageContaining("no_application_protocol");
    }

    @Test
    void sniPicksTheCertificateForTheNameTheClientAsksFor() throws Exception {
        LoopGroup group = group();
        CertificateStore store = serverCertificates().loadPem("other.test", file("other.pem"), file("other.key"));
        TlsServer server = echoServer(group, TlsConfig.builder().certificates(store).build());
        TlsConnection other = connect(group, server, "other.test", clientConfig().build(), new Collecting())
                .get(10, TimeUnit.SECONDS);
        assertThat(commonName(other)).isEqualTo("CN=other.test");
        TlsConnection plain = connect(group, server, "localhost", clientConfig().build(), new Collecting())
                .get(10, TimeUnit.SECONDS);
        assertThat(commonName(plain)).isEqualTo("CN=localhost");
        onLoop(group.next(), () -> { other.close(); plain.close(); return null; });
    }

    @Test
    void mutualTlsAcceptsATrustedClientCertificateAndRefusesAClientWithout() throws Exception {
        LoopGroup group = group();
        TlsServer server = echoServer(group, serverConfig().trustPem(file("ca.pem"))
                .clientAuth(TlsConfig.ClientAuth.REQUIRED).build());
        TlsConfig withCertificate = clientConfig()
                .certificates(new CertificateStore().loadPem(file("client.pem"), file("client.key"))).build();
        Collecting client = new Collecting();
        TlsConnection connection = connect(group, server, "localhost", withCertificate, client).get(10, TimeUnit.SECONDS);
        assertEchoes(connection, client, "mutual");
        onLoop(connection.loop(), () -> { connection.close(); return null; });
        assertThat(serverCloses.poll(10, TimeUnit.SECONDS)).isNotInstanceOf(Throwable.class);

        Collecting anonymous = new Collecting();
        CompletableFuture<TlsConnection> refused = connect(group, server, "localhost", clientConfig().build(), anonymous);
        // TLS 1.3: the client finishes before the server checks its (missing) certificate; it then gets the alert.
        assertThat(anonymous.closed.get(10, TimeUnit.SECONDS)).isInstanceOf(Throwable.class);
        assertThat(failureOf(serverCloses.poll(10, TimeUnit.SECONDS))).isEqualTo(TlsFailure.CERTIFICATE);
        assertThat(TlsStats.of(group.next()).failures(TlsFailure.CERTIFICATE)).isGreaterThanOrEqualTo(1);
        refused.handle((c, e) -> null).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aPkcs12KeyStoreServesAndACertificateReloadReachesNewConnections() throws Exception {
        LoopGroup group = group();
        CertificateStore store = new CertificateStore().loadPkcs12(file("server.p12"), "changeit".toCharArray());
        TlsServer server = echoServer(group, TlsConfig.builder().certificates(store).build());
        TlsConnection before = connect(group, server, "localhost", clientConfig().build(), new Collecting())
                .get(10, TimeUnit.SECONDS);
        assertThat(commonName(before)).isEqualTo("CN=localhost");

        store.loadPem(file("other.pem"), file("other.key")); // rotated while the server runs
        TlsConnection after = connect(group, server, "localhost",
                clientConfig().hostnameVerification(false).build(), new Collecting()).get(10, TimeUnit.SECONDS);
        assertThat(commonName(after)).isEqualTo("CN=other.test");
        assertThat(before.isOpen()).isTrue();
        onLoop(group.next(), () -> { before.close(); after.close(); return null; });
    }

    @Test
    void aUserBuiltSslContextIsUsedAsItIs() throws Exception {
        LoopGroup group = group();
        SSLContext serverContext = serverConfig().build().sslContext(); // stands for one the user built
        TlsServer server = echoServer(group, TlsConfig.builder().sslContext(serverContext).build());
        SSLContext clientContext = clientConfig().build().sslContext();
        Collecting client = new Collecting();
        TlsConnection connection = connect(group, server, "localhost",
                TlsConfig.builder().sslContext(clientContext).build(), client).get(10, TimeUnit.SECONDS);
        assertEchoes(connection, client, "user context");
        onLoop(connection.loop(), () -> { connection.close(); return null; });
        assertThatThrownBy(() -> TlsServer.listen(group, loopback(), TcpOptions.defaults(), clientConfig().build(), Echo::new))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a certificate");
    }

    @Test
    void tls12SessionsAreResumed() throws Exception {
        LoopGroup group = group();
        TlsServer server = echoServer(group, serverConfig().build());
        TlsConfig config = clientConfig().protocols("TLSv1.2").build();
        TlsConnection first = connect(group, server, "localhost", config, new Collecting()).get(10, TimeUnit.SECONDS);
        byte[] id = first.session().getId();
        onLoop(group.next(), () -> { first.close(); return null; });
        TlsConnection second = connect(group, server, "localhost", config, new Collecting()).get(10, TimeUnit.SECONDS);
        assertThat(second.session().getId()).isEqualTo(id);
        onLoop(group.next(), () -> { second.close(); return null; });
    }

    // ------------------------------------------------------------------ data and closing

    @Test
    void sixtyFourMebibytesAreEchoedThroughTlsWithMatchingChecksums() throws Exception {
        TlsServer server = echoServer(serverConfig().build());
        SSLContext context = clientConfig().build().sslContext();
        long bytes = 64L << 20;
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                ((InetSocketAddress) server.localAddress()).getPort())) {
            ChecksummedEcho.assertEchoed(socket.getInputStream(), socket.getOutputStream(), bytes, Thread::startVirtualThread);
        }
        // The client's close sends close_notify: no TLS failure (TCP may still see the socket gone under its own close).
        assertThat(serverCloses.poll(10, TimeUnit.SECONDS)).isNotInstanceOf(TlsFailureException.class);
    }

    @Test
    void encryptedBytesCountAgainstTheWatermarksSoASlowReaderCostsBoundedMemory() throws Exception {
        int low = 16 * 1024;
        int high = 64 * 1024;
        long total = 4L << 20;
        java.util.concurrent.atomic.AtomicLong maxQueued = new java.util.concurrent.atomic.AtomicLong();
        LoopGroup group = group();
        TlsServer server = TlsServer.listen(group, loopback(), TcpOptions.defaults().withWriteWatermarks(low, high),
                serverConfig().build(), () -> new TlsHandler() {
                    long sent;

                    @Override
                    public void onOpen(TlsConnection connection) {
                        pump(connection);
                    }

                    private void pump(TlsConnection connection) {
                        byte[] chunk = new byte[16 * 1024];
                        while (connection.isWritable() && sent < total) {
                            for (int i = 0; i < chunk.length; i++) {
                                chunk[i] = (byte) (sent + i);
                            }
                            connection.write(ByteBuffer.wrap(chunk));
                            sent += chunk.length;
                            maxQueued.accumulateAndGet(connection.queuedBytes(), Math::max);
                        }
                        if (!connection.isWritable()) {
                            serverEvents.add("unwritable");
                        } else {
                            connection.close();
                        }
                    }

                    @Override
                    public void onWritabilityChanged(TlsConnection connection, boolean writable) {
                        if (writable) {
                            pump(connection);
                        }
                    }

                    @Override
                    public void onRead(TlsConnection connection, ByteBuffer data) {
                    }
                });
        servers.add(server);
        SSLContext context = clientConfig().build().sslContext();
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                ((InetSocketAddress) server.localAddress()).getPort())) {
            socket.startHandshake();
            assertThat(serverEvents.poll(10, TimeUnit.SECONDS)).isEqualTo("unwritable"); // the client reads nothing yet
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            long received = 0;
            for (int n; (n = in.read(buffer)) > 0; received += n) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != (byte) (received + i)) {
                        throw new AssertionError("byte " + (received + i) + " is " + buffer[i]);
                    }
                }
            }
            assertThat(received).isEqualTo(total);
        }
        // Past the high watermark by one chunk's record at most: the handler stops writing once unwritable.
        assertThat(maxQueued.get()).isGreaterThan(high).isLessThanOrEqualTo(high + 17 * 1024);
    }

    @Test
    void plaintextTheHandlerLeavesUnconsumedIsHandedBackWithWhatFollows() throws Exception {
        LoopGroup group = group();
        TlsServer server = TlsServer.listen(group, loopback(), TcpOptions.defaults(), serverConfig().build(), () -> (connection, data) -> {
            while (data.remaining() >= 10) { // consumes whole tens only
                ByteBuffer ten = data.slice(data.position(), 10);
                data.position(data.position() + 10);
                connection.write(ten);
            }
        });
        servers.add(server);
        SSLContext context = clientConfig().build().sslContext();
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                ((InetSocketAddress) server.localAddress()).getPort())) {
            String text = "0123456789abcdefghijABCDEFGHIJ";
            OutputStream out = socket.getOutputStream();
            for (int i = 0; i < text.length(); i += 3) { // one record per 3 bytes
                out.write(text.substring(i, i + 3).getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            assertThat(new String(socket.getInputStream().readNBytes(30), StandardCharsets.US_ASCII)).isEqualTo(text);
        }
    }

    @Test
    void closeNotifyIsSentAndExpected() throws Exception {
        LoopGroup group = group();
        TlsServer server = TlsServer.listen(group, loopback(), TcpOptions.defaults(), serverConfig().build(), () -> new TlsHandler() {
            @Override
            public void onOpen(TlsConnection connection) {
                connection.write(ByteBuffer.wrap("bye\n".getBytes(StandardCharsets.US_ASCII)));
                connection.close();
            }

            @Override
            public void onRead(TlsConnection connection, ByteBuffer data) {
            }
        });
        servers.add(server);
        Collecting client = new Collecting() {
            @Override
            public void onInputClosed(TlsConnection connection) {
                lines.add("<close_notify>");
                connection.close();
            }
        };
        connect(group, server, "localhost", clientConfig().build(), client).get(10, TimeUnit.SECONDS);
        assertThat(client.lines.poll(10, TimeUnit.SECONDS)).isEqualTo("bye");
        assertThat(client.lines.poll(10, TimeUnit.SECONDS)).isEqualTo("<close_notify>");
        assertThat(client.closed.get(10, TimeUnit.SECONDS)).isNotInstanceOf(Throwable.class);
        assertThat(TlsStats.of(group.next()).failures(TlsFailure.TRUNCATION)).isZero();
    }

    @Test
    void aFinWithoutCloseNotifyIsReportedAsTruncation() throws Exception {
        LoopGroup group = group();
        TlsServer server = echoServer(group, serverConfig().build());
        SSLContext context = clientConfig().build().sslContext();
        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
            SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(raw, "localhost", raw.getPort(), false);
            socket.getOutputStream().write("cut\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(socket.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("cut\n");
            raw.shutdownOutput(); // FIN, no close_notify
            assertThat(failureOf(serverCloses.poll(10, TimeUnit.SECONDS))).isEqualTo(TlsFailure.TRUNCATION);
        }
        assertThat(TlsStats.of(group.next()).failures(TlsFailure.TRUNCATION)).isEqualTo(1);
    }

    @Test
    void aResetMidHandshakeClosesThatConnectionOnlyAndIsCounted() throws Exception {
        LoopGroup group = group();
        TlsServer server = echoServer(group, serverConfig().build());
        Collecting survivorClient = new Collecting();
        TlsConnection survivor = connect(group, server, "localhost", clientConfig().build(), survivorClient)
                .get(10, TimeUnit.SECONDS);
        serverEvents.poll(10, TimeUnit.SECONDS);
        try (Socket victim = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
            victim.getOutputStream().write(TlsBadInput.halfAClientHello());
            victim.setSoLinger(true, 0);
        } // closes with RST
        assertThat(failureOf(serverCloses.poll(10, TimeUnit.SECONDS))).isEqualTo(TlsFailure.HANDSHAKE_ABORTED);
        assertThat(TlsStats.of(group.next()).failures(TlsFailure.HANDSHAKE_ABORTED)).isEqualTo(1);
        assertEchoes(survivor, survivorClient, "still here");
        onLoop(group.next(), () -> { survivor.close(); return null; });
    }

    @Test
    void aStalledHandshakeTimesOutOnTheLoopsClock() throws Exception {
        ManualClock clock = new ManualClock();
        EventLoop loop = EventLoop.builder().name("tls-timeout").clock(clock).poller(pollerName()).build();
        loops.add(loop);
        TlsServer server = TlsServer.listen(loop, loopback(), TcpOptions.defaults(),
                serverConfig().handshakeTimeout(Duration.ofSeconds(5)).build(), Echo::new);
        servers.add(server);
        TlsStats stats = TlsStats.of(loop);
        try (Socket stalled = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
            while (TcpStats.of(loop).openConnections() == 0) {
                loop.run(RunMode.NOWAIT);
            }
            clock.advance(Duration.ofSeconds(5).minusNanos(1));
            loop.run(RunMode.NOWAIT);
            assertThat(stats.failures(TlsFailure.HANDSHAKE_TIMEOUT)).isZero();
            clock.advance(Duration.ofNanos(1));
            loop.run(RunMode.NOWAIT);
            assertThat(stats.failures(TlsFailure.HANDSHAKE_TIMEOUT)).isEqualTo(1);
            assertThat(stalled.getInputStream().readAllBytes()).as("an alert at most, then the server's FIN").hasSizeLessThan(64);
        }
        while (serverCloses.isEmpty()) {
            loop.run(RunMode.NOWAIT);
        }
        assertThat(failureOf(serverCloses.poll())).isEqualTo(TlsFailure.HANDSHAKE_TIMEOUT);
        server.close();
        loop.run(RunMode.NOWAIT);
    }

    // ------------------------------------------------------------------ bad certificates

    private void assertClientRefuses(String chain, String key, TlsConfig clientConfig) throws Exception {
        LoopGroup group = group();
        TlsServer server = echoServer(group, TlsConfig.builder()
                .certificates(new CertificateStore().loadPem(file(chain), file(key))).build());
        Collecting client = new Collecting();
        CompletableFuture<TlsConnection> connecting = connect(group, server, "localhost", clientConfig, client);
        assertThatThrownBy(() -> connecting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TlsFailureException.class);
        assertThat(failureOf(client.closed.get(10, TimeUnit.SECONDS))).isEqualTo(TlsFailure.CERTIFICATE);
        assertThat(failureOf(serverCloses.poll(10, TimeUnit.SECONDS))).isEqualTo(TlsFailure.CERTIFICATE);
        assertThat(TlsStats.of(group.next()).failures(TlsFailure.CERTIFICATE)).isEqualTo(2); // client and server
    }

    @Test
    void anUntrustedServerCertificateIsRefused() throws Exception {
        assertClientRefuses("untrusted.pem", "untrusted.key", clientConfig().build());
    }

    @Test
    void anExpiredServerCertificateIsRefused() throws Exception {
        assertClientRefuses("expired.pem", "expired.key", clientConfig().build());
    }

    @Test
    void aCertificateForAnotherNameIsRefusedByHostnameVerification() throws Exception {
        assertClientRefuses("other.pem", "other.key", clientConfig().build());
    }

    // ------------------------------------------------------------------ bad input

    /** Sends {@code bytes} raw to a TLS server and checks that only that connection closes, counted as {@code expected}. */
    private void assertBadInputCloses(byte[] bytes, TlsFailure expected) throws Exception {
        LoopGroup group = group();
        TlsServer server = echoServer(group, serverConfig().build());
        Collecting survivorClient = new Collecting();
        TlsConnection survivor = connect(group, server, "localhost", clientConfig().build(), survivorClient)
                .get(10, TimeUnit.SECONDS);
        serverEvents.poll(10, TimeUnit.SECONDS);
        try (Socket bad = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
            bad.setSoTimeout(10_000);
            bad.getOutputStream().write(bytes);
            byte[] answer = bad.getInputStream().readAllBytes(); // an alert at most, then the server's FIN
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP");
        }
        assertThat(failureOf(serverCloses.poll(10, TimeUnit.SECONDS))).isEqualTo(expected);
        assertThat(TlsStats.of(group.next()).failures(expected)).isEqualTo(1);
        assertEchoes(survivor, survivorClient, "unaffected");
        onLoop(group.next(), () -> { survivor.close(); return null; });
    }

    @Test
    void plaintextHttpToTheTlsPortClosesThatConnectionOnly() throws Exception {
        assertBadInputCloses(TlsBadInput.plaintextHttp(), TlsFailure.NOT_TLS);
    }

    @Test
    void garbageInsteadOfAClientHelloClosesThatConnectionOnly() throws Exception {
        assertBadInputCloses(TlsBadInput.garbageClientHello(), TlsFailure.PROTOCOL);
    }

    @Test
    void anOversizedRecordClosesThatConnectionOnly() throws Exception {
        assertBadInputCloses(TlsBadInput.oversizedRecordHeader(), TlsFailure.BAD_RECORD);
    }

    @Test
    void aTamperedRecordAfterTheHandshakeClosesThatConnectionOnly() throws Exception {
        LoopGroup group = group();
        TlsServer server = echoServer(group, serverConfig().build());
        SSLContext context = clientConfig().build().sslContext();
        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
            SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(raw, "localhost", raw.getPort(), false);
            socket.startHandshake();
            byte[] forged = new byte[5 + 40];
            new Random(3).nextBytes(forged);
            forged[0] = 0x17; // application data, TLS 1.2 header as TLS 1.3 uses it, a bogus ciphertext
            forged[1] = 0x03;
            forged[2] = 0x03;
            forged[3] = 0x00;
            forged[4] = 40;
            raw.getOutputStream().write(forged);
            assertThat(failureOf(serverCloses.poll(10, TimeUnit.SECONDS))).isEqualTo(TlsFailure.BAD_RECORD);
        }
        assertThat(TlsStats.of(group.next()).failures(TlsFailure.BAD_RECORD)).isEqualTo(1);
    }

    @Test
    void tls12RenegotiationIsRefused() throws Exception {
        LoopGroup group = group();
        TlsServer server = echoServer(group, serverConfig().build());
        SSLContext context = clientConfig().build().sslContext();
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                ((InetSocketAddress) server.localAddress()).getPort())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.startHandshake();
            socket.getOutputStream().write('x');
            assertThat(socket.getInputStream().read()).isEqualTo('x');
            socket.startHandshake(); // asks to renegotiate
            assertThat(failureOf(serverCloses.poll(10, TimeUnit.SECONDS))).isEqualTo(TlsFailure.RENEGOTIATION);
        }
        assertThat(TlsStats.of(group.next()).failures(TlsFailure.RENEGOTIATION)).isEqualTo(1);
    }

    // ------------------------------------------------------------------ clients nobody here wrote

    /** Runs {@code command} to its end with no input; returns its exit code and output (stdout and stderr). */
    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return "exit=" + process.waitFor() + "\n" + output;
    }

    @Test
    void opensslSClientNegotiatesEachVersionAlpnAndSniAndSendsCloseNotify() throws Exception {
        LoopGroup group = group();
        CertificateStore store = serverCertificates().loadPem("other.test", file("other.pem"), file("other.key"));
        TlsServer server = echoServer(group, TlsConfig.builder().certificates(store).applicationProtocols("h2", "http/1.1").build());
        for (String version : List.of("-tls1_3", "-tls1_2")) {
            Process sClient = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort(),
                    "-CAfile", file("ca.pem").toString(), "-verify_return_error", "-servername", "other.test",
                    "-alpn", "http/1.1,h2", version).redirectErrorStream(true).start();
            sClient.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            sClient.getOutputStream().flush();
            StringBuilder output = new StringBuilder();
            java.io.BufferedReader lines = new java.io.BufferedReader(
                    new java.io.InputStreamReader(sClient.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null && !line.equals("ping"); ) {
                output.append(line).append('\n');
            }
            sClient.getOutputStream().close(); // end of input: s_client sends close_notify and exits
            lines.lines().forEach(line -> output.append(line).append('\n'));
            assertThat(sClient.waitFor()).as(output.toString()).isZero();
            String protocol = version.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2";
            assertThat(output.toString()).contains("Protocol  : " + protocol, "ALPN protocol: h2", "CN = other.test",
                    "Verify return code: 0 (ok)");
            assertThat(serverEvents.poll(10, TimeUnit.SECONDS)).isEqualTo("open " + protocol + " alpn=h2");
            assertThat(serverEvents.poll(10, TimeUnit.SECONDS)).isEqualTo("close_notify");
            assertThat(serverCloses.poll(10, TimeUnit.SECONDS)).isNotInstanceOf(Throwable.class);
        }
        assertThat(TlsStats.of(group.next()).failures(TlsFailure.TRUNCATION)).isZero();
    }

    @Test
    void opensslSClientOfferingOnlyTls11IsRefused() throws Exception {
        LoopGroup group = group();
        TlsServer server = echoServer(group, serverConfig().build());
        String output = run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort(),
                "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"));
        assertThat(output).doesNotStartWith("exit=0");
        assertThat(failureOf(serverCloses.poll(10, TimeUnit.SECONDS))).isEqualTo(TlsFailure.PROTOCOL);
    }

    /** Answers every request with a fixed body, then closes (Connection: close). */
    static final class HelloHttp implements TlsHandler {
        private final StringBuilder request = new StringBuilder();

        @Override
        public void onRead(TlsConnection connection, ByteBuffer data) {
            while (data.hasRemaining()) {
                request.append((char) data.get());
            }
            if (request.indexOf("\r\n\r\n") >= 0) {
                String body = "hello over " + connection.session().getProtocol() + "\n";
                connection.write(ByteBuffer.wrap(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length()
                        + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII)));
                connection.close();
            }
        }
    }

    @Test
    void curlGetsHttpsOverTls12AndTls13() throws Exception {
        LoopGroup group = group();
        TlsServer server = TlsServer.listen(group, loopback(), TcpOptions.defaults(), serverConfig().build(), HelloHttp::new);
        servers.add(server);
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        for (List<String> version : List.of(List.of("--tlsv1.3"), List.of("--tlsv1.2", "--tls-max", "1.2"))) {
            List<String> command = new ArrayList<>(List.of("curl", "-sS", "--cacert", file("ca.pem").toString(),
                    "--resolve", "localhost:" + port + ":127.0.0.1", "https://localhost:" + port + "/"));
            command.addAll(version);
            String protocol = version.get(0).equals("--tlsv1.3") ? "TLSv1.3" : "TLSv1.2";
            assertThat(run(command)).isEqualTo("exit=0\nhello over " + protocol + "\n");
        }
        assertThat(TlsStats.of(group.next()).handshakes()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ API misuse

    @Test
    void aHandlerThatThrowsInOnOpenAbortsItsConnectionOnly() throws Exception {
        LoopGroup group = group();
        TlsServer server = echoServer(group, serverConfig().build());
        RuntimeException bug = new IllegalStateException("a bug in onOpen");
        Collecting client = new Collecting() {
            @Override
            public void onOpen(TlsConnection connection) {
                throw bug;
            }
        };
        CompletableFuture<TlsConnection> connecting = connect(group, server, "localhost", clientConfig().build(), client);
        assertThatThrownBy(() -> connecting.get(10, TimeUnit.SECONDS)).hasCause(bug);
        assertThat(client.closed.get(10, TimeUnit.SECONDS)).isSameAs(bug);
        assertThat(loopErrors.poll(10, TimeUnit.SECONDS)).isSameAs(bug);
        assertThat(serverCloses.poll(10, TimeUnit.SECONDS)).isNotNull(); // the server end closed too
    }

    @Test
    void writingOffTheLoopFailsFastSayingWhatToDo() throws Exception {
        LoopGroup group = group();
        TlsServer server = echoServer(group, serverConfig().build());
        TlsConnection connection = connect(group, server, "localhost", clientConfig().build(), new Collecting())
                .get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> connection.write(ByteBuffer.allocate(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("loop.execute");
        onLoop(group.next(), () -> { connection.close(); return null; });
    }
}
