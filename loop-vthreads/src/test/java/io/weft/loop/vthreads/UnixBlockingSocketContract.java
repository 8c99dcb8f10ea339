package io.weft.loop.vthreads;

import static io.weft.loop.testkit.TestCertificates.file;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.tls.CertificateStore;
import io.weft.loop.core.net.tls.TlsConfig;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Blocking-style sockets on a Unix domain socket, on both carriers; run against every poller. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class UnixBlockingSocketContract extends VThreadsFixture {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void blockingClientsEchoByteExactThroughABlockingUnixServer(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("echo.sock"));
        BlockingServerSocket server = BlockingServerSocket.listen(loop, address, TcpOptions.defaults());
        assertThat(server.localAddress()).isEqualTo(address);
        threads.start(() -> server.serve(threads, UnixBlockingSocketContract::echo));
        List<Spawned<Boolean>> clients = new ArrayList<>();
        for (int c = 0; c < 300; c++) {
            int seed = c;
            clients.add(spawn(threads, () -> {
                byte[] payload = new byte[1000 + seed * 97];
                new Random(seed).nextBytes(payload);
                try (BlockingSocket socket = BlockingSocket.connect(loop, address, TcpOptions.defaults())) {
                    socket.getOutputStream().write(payload);
                    socket.shutdownOutput();
                    return Arrays.equals(socket.getInputStream().readAllBytes(), payload);
                }
            }));
        }
        for (Spawned<Boolean> client : clients) {
            assertThat(client.join()).as("echoed byte-exact").isTrue();
        }
        server.close();
        awaitTrue(() -> !Files.exists(address.getPath()), "the socket file removed after close");
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void tlsClientsEchoByteExactThroughABlockingTlsUnixServerNamedByTheClient(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("tls.sock"));
        TlsConfig serverTls = TlsConfig.builder()
                .certificates(new CertificateStore().loadPem(file("server.pem"), file("server.key"))).build();
        TlsConfig clientTls = TlsConfig.builder().trustPem(file("ca.pem")).build();
        BlockingServerSocket server = BlockingServerSocket.listen(loop, address, TcpOptions.defaults(), serverTls);
        threads.start(() -> server.serve(threads, UnixBlockingSocketContract::echo));
        List<Spawned<Boolean>> clients = new ArrayList<>();
        for (int c = 0; c < 20; c++) {
            int seed = c;
            clients.add(spawn(threads, () -> {
                byte[] payload = new byte[40_000 + seed * 997]; // several TLS records
                new Random(seed).nextBytes(payload);
                try (BlockingSocket socket = BlockingSocket.connect(loop, address, "localhost", TcpOptions.defaults(),
                        clientTls)) {
                    assertThat(socket.tlsSession()).isPresent();
                    socket.getOutputStream().write(payload);
                    socket.shutdownOutput();
                    return Arrays.equals(socket.getInputStream().readAllBytes(), payload);
                }
            }));
        }
        for (Spawned<Boolean> client : clients) {
            assertThat(client.join()).as("echoed byte-exact over TLS").isTrue();
        }
        Throwable nameless = spawn(threads, () -> BlockingSocket.connect(loop, address, null, TcpOptions.defaults(),
                clientTls)).failure();
        assertThat(nameless).as("a TLS connect to a Unix socket names its server")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serverName");
        server.close();
        awaitTrue(() -> !Files.exists(address.getPath()), "the socket file removed after close");
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void connectingToAMissingPathThrowsAnIOExceptionNamingIt(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        UnixDomainSocketAddress missing = UnixDomainSocketAddress.of(dir.resolve("missing.sock"));
        Throwable failure = spawn(threads, () -> BlockingSocket.connect(loop, missing, TcpOptions.defaults())).failure();
        assertThat(failure).isInstanceOf(IOException.class).hasMessageContaining(missing.getPath().toString());
    }

    private static void echo(BlockingSocket socket) {
        try (socket) {
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (socket.read(buffer.clear()) >= 0) {
                socket.write(buffer.flip());
            }
        } catch (IOException e) {
            // the peer went away; nothing to echo
        }
    }
}
