package io.weft.loop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import io.weft.loop.core.net.tls.CertificateStore;
import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.loop.core.net.tls.TlsConnection;
import io.weft.loop.core.net.tls.TlsHandler;
import io.weft.loop.core.net.tls.TlsServer;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Unix domain socket contract, run against every stream backend: a {@link TcpServer} and
 * {@link TcpConnection} on a {@link UnixDomainSocketAddress} echo byte-exact (TLS too), serve many
 * connections, remove their socket file on close, replace a stale one but never a live one or a
 * regular file, and refuse a path too long for {@code sun_path}. The clients are the JDK's own Unix
 * domain {@link SocketChannel}s and the loop's connect.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class UnixSocketContract {
    /** For a subclass, which names the poller the suite runs on. */
    protected UnixSocketContract() {
    }

    /** {@return the name of the poller (and so the stream backend) under test} */
    protected abstract String pollerName();

    @TempDir
    Path dir;

    private final List<LoopGroup> groups = new ArrayList<>();
    private final List<TcpServer> servers = new ArrayList<>();

    @AfterEach
    void closeEverything() {
        servers.forEach(TcpServer::close);
        groups.forEach(LoopGroup::close);
    }

    private LoopGroup group(int size) {
        LoopGroup group = LoopGroup.builder().size(size).name("unix-test").poller(pollerName()).build();
        groups.add(group);
        return group;
    }

    private TcpServer echo(LoopGroup group, UnixDomainSocketAddress address) throws IOException {
        TcpServer server = TcpServer.listen(group, address, TcpOptions.defaults(), () -> new ConnectionHandler() {
            @Override
            public void onRead(TcpConnection connection, ByteBuffer data) {
                connection.write(data);
            }
        });
        servers.add(server);
        return server;
    }

    private UnixDomainSocketAddress socketPath(String name) {
        return UnixDomainSocketAddress.of(dir.resolve(name));
    }

    /** Sends {@code data} and reads as many bytes back, writing from another thread so neither side stalls. */
    private static byte[] roundTrip(UnixDomainSocketAddress address, byte[] data) throws Exception {
        try (SocketChannel client = SocketChannel.open(address);
                ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> written = writer.submit(() -> {
                ByteBuffer out = ByteBuffer.wrap(data);
                while (out.hasRemaining()) {
                    client.write(out);
                }
                return null;
            });
            ByteBuffer in = ByteBuffer.allocate(data.length);
            while (in.hasRemaining()) {
                if (client.read(in) < 0) {
                    break;
                }
            }
            written.get();
            return in.array();
        }
    }

    /** Waits until {@code loop} has run everything queued before now (a closing listener, say). */
    private static void drain(EventLoop loop) throws Exception {
        CompletableFuture<Void> ran = new CompletableFuture<>();
        loop.execute(() -> ran.complete(null));
        ran.get(30, TimeUnit.SECONDS);
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    @Test
    void echoesByteExactAndReportsTheSocketPathAsItsAddress() throws Exception {
        UnixDomainSocketAddress address = socketPath("echo.sock");
        TcpServer server = echo(group(1), address);
        assertThat(server.localAddress()).isEqualTo(address);
        assertThat(Files.exists(address.getPath())).as("bind made the socket file").isTrue();
        byte[] data = random(3 * 1024 * 1024 + 17, 12);
        assertThat(roundTrip(address, data)).isEqualTo(data);
    }

    @Test
    void theLoopsOwnConnectReachesAUnixServer() throws Exception {
        UnixDomainSocketAddress address = socketPath("client.sock");
        LoopGroup group = group(1);
        echo(group, address);
        byte[] data = random(256 * 1024, 7);
        ByteBuffer received = ByteBuffer.allocate(data.length);
        CompletableFuture<byte[]> echoed = new CompletableFuture<>();
        CompletableFuture<List<SocketAddress>> addresses = new CompletableFuture<>();
        TcpConnection.connect(group.next(), address, TcpOptions.defaults(), new ConnectionHandler() {
            @Override
            public void onOpen(TcpConnection c) {
                addresses.complete(List.of(c.localAddress(), c.remoteAddress()));
                c.write(ByteBuffer.wrap(data));
            }

            @Override
            public void onRead(TcpConnection c, ByteBuffer chunk) {
                received.put(chunk);
                if (!received.hasRemaining()) {
                    echoed.complete(received.array());
                    c.close();
                }
            }
        });
        assertThat(echoed.get(30, TimeUnit.SECONDS)).isEqualTo(data);
        assertThat(addresses.get()).as("local (a client that did not bind has no name), remote")
                .containsExactly(UnixDomainSocketAddress.of(""), address);
    }

    @Test
    void tlsRunsUnchangedOverAUnixSocketAndNeedsAServerName() throws Exception {
        UnixDomainSocketAddress address = socketPath("tls.sock");
        LoopGroup group = group(1);
        TlsConfig serverConfig = TlsConfig.builder().certificates(new CertificateStore()
                .loadPem(TestCertificates.file("server.pem"), TestCertificates.file("server.key"))).build();
        TlsServer server = TlsServer.listen(group, address, TcpOptions.defaults(), serverConfig, () -> new TlsHandler() {
            @Override
            public void onRead(TlsConnection connection, ByteBuffer data) {
                connection.write(data);
            }
        });
        try {
            TlsConfig clientConfig = TlsConfig.builder().trustPem(TestCertificates.file("ca.pem")).build();
            byte[] data = random(100_000, 9);
            ByteBuffer received = ByteBuffer.allocate(data.length);
            CompletableFuture<byte[]> echoed = new CompletableFuture<>();
            TlsConnection.connect(group.next(), address, "localhost", TcpOptions.defaults(), clientConfig,
                    new TlsHandler() {
                        @Override
                        public void onOpen(TlsConnection c) {
                            c.write(ByteBuffer.wrap(data));
                        }

                        @Override
                        public void onRead(TlsConnection c, ByteBuffer chunk) {
                            received.put(chunk);
                            if (!received.hasRemaining()) {
                                echoed.complete(received.array());
                                c.close();
                            }
                        }
                    });
            assertThat(echoed.get(30, TimeUnit.SECONDS)).as("echoed over TLS, verified as localhost").isEqualTo(data);
            assertThatThrownBy(() -> TlsConnection.connect(group.next(), address, null, TcpOptions.defaults(),
                    clientConfig, (c, chunk) -> { }))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("needs a serverName");
        } finally {
            server.close();
        }
    }

    @Test
    void servesManyConnectionsAtOnceOnAGroup() throws Exception {
        UnixDomainSocketAddress address = socketPath("many.sock");
        echo(group(2), address);
        int connections = 200;
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                byte[] data = random(4096 + i, i);
                results.add(clients.submit(() -> java.util.Arrays.equals(roundTrip(address, data), data)));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).as("echoed byte-exact").isTrue();
            }
        }
    }

    @Test
    void closingTheServerRemovesItsSocketFile() throws Exception {
        UnixDomainSocketAddress address = socketPath("closing.sock");
        LoopGroup group = group(1);
        TcpServer server = echo(group, address);
        assertThat(Files.exists(address.getPath())).isTrue();
        server.close();
        drain(group.next());
        assertThat(Files.exists(address.getPath())).as("the socket file after close").isFalse();
        assertThatThrownBy(() -> SocketChannel.open(address)).isInstanceOf(IOException.class);
    }

    @Test
    void aStaleSocketFileFromADeadServerIsReplaced() throws Exception {
        UnixDomainSocketAddress address = socketPath("stale.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(address); // closing it leaves the file behind, as a crashed process does
        }
        assertThat(Files.exists(address.getPath())).isTrue();
        echo(group(1), address);
        byte[] data = random(1000, 3);
        assertThat(roundTrip(address, data)).isEqualTo(data);
    }

    @Test
    void aPathAServerListensOnIsNotTakenOver() throws Exception {
        UnixDomainSocketAddress address = socketPath("busy.sock");
        LoopGroup group = group(1);
        echo(group, address);
        assertThatThrownBy(() -> echo(group, address))
                .isInstanceOf(BindException.class)
                .hasMessageContaining(address.getPath().toString())
                .hasMessageContaining("a process listens on");
        byte[] data = random(1000, 4);
        assertThat(roundTrip(address, data)).as("the first server still serves").isEqualTo(data);
    }

    @Test
    void aRegularFileAtThePathIsLeftAlone() throws Exception {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "keep me");
        assertThatThrownBy(() -> echo(group(1), UnixDomainSocketAddress.of(file)))
                .isInstanceOf(BindException.class)
                .hasMessageContaining("not a socket");
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    @Test
    void aPathLongerThanSunPathFailsFastNamingTheLimit() {
        String prefix = dir.toString() + "/";
        UnixDomainSocketAddress tooLong = UnixDomainSocketAddress.of(prefix + "x".repeat(107 - prefix.length()));
        LoopGroup group = group(1);
        assertThatThrownBy(() -> echo(group, tooLong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("107 bytes")
                .hasMessageContaining("sun_path is 108 bytes");
        assertThatThrownBy(() -> TcpConnection.connect(group.next(), tooLong, TcpOptions.defaults(), (c, data) -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("longer than the 106 that fit");
        assertThat(Files.exists(tooLong.getPath())).isFalse();
    }

    @Test
    void theLongestPathThatFitsIsServed() throws Exception {
        String prefix = dir.toString() + "/";
        UnixDomainSocketAddress longest = UnixDomainSocketAddress.of(prefix + "y".repeat(106 - prefix.length()));
        echo(group(1), longest);
        byte[] data = random(100, 5);
        assertThat(roundTrip(longest, data)).isEqualTo(data);
    }

    @Test
    void connectingToAMissingPathFailsWithAnIOExceptionNamingIt() {
        UnixDomainSocketAddress missing = socketPath("nobody-here.sock");
        CompletableFuture<TcpConnection> connected = TcpConnection.connect(group(1).next(), missing,
                TcpOptions.defaults(), (c, data) -> { });
        assertThatThrownBy(() -> connected.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IOException.class)
                .hasMessageContaining(missing.getPath().toString())
                .hasMessageContaining("No such file or directory");
    }

    @Test
    void portSharingIsRefusedForAUnixSocket() {
        UnixDomainSocketAddress address = socketPath("shared.sock");
        assertThatThrownBy(() -> TcpServer.listen(group(2), address, TcpOptions.defaults().withReusePort(true),
                () -> (c, data) -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port sharing");
        assertThat(Files.exists(address.getPath())).isFalse();
    }
}
