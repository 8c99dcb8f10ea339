package io.weft.loop.testkit;

import io.weft.loop.core.net.tls.*;
import static io.weft.loop.testkit.TestCertificates.file;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Measures the heap an idle TLS connection keeps (both ends are in this JVM: a server connection
 * and a client one) and bounds it: the engines' buffers are the loop's, not the connection's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsIdleMemoryTest {
    private static final int CONNECTIONS = 400;

    @Test
    void anIdleTlsConnectionKeepsLittleHeap() throws Exception {
        TlsConfig serverConfig = TlsConfig.builder()
                .certificates(new CertificateStore().loadPem(file("server.pem"), file("server.key"))).build();
        TlsConfig clientConfig = TlsConfig.builder().trustPem(file("ca.pem")).build();
        try (LoopGroup servers = LoopGroup.builder().size(1).name("idle-server").poller("nio").build();
                LoopGroup clients = LoopGroup.builder().size(1).name("idle-client").poller("nio").build();
                TlsServer server = TlsServer.listen(servers, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        TcpOptions.defaults(), serverConfig, () -> (connection, data) -> data.position(data.limit()))) {
            List<TlsConnection> open = new ArrayList<>();
            connect(clients, server, clientConfig, 20, open); // warm up: the loops' shared buffers, classes, caches
            long before = usedHeap();
            connect(clients, server, clientConfig, CONNECTIONS, open);
            long perConnection = (usedHeap() - before) / CONNECTIONS;
            System.out.println("heap per idle TLS connection (server end + client end, TLS 1.3): " + perConnection + " bytes");
            assertThat(perConnection).as("bytes per idle TLS connection, both ends").isLessThan(64 * 1024);
            CompletableFuture.runAsync(() -> open.forEach(TlsConnection::abort), clients.next()).get(10, TimeUnit.SECONDS);
        }
    }

    private static void connect(LoopGroup clients, TlsServer server, TlsConfig config, int count, List<TlsConnection> open)
            throws Exception {
        for (int i = 0; i < count; i++) {
            open.add(TlsConnection.connect(clients.next(), server.localAddress(), "localhost", TcpOptions.defaults(), config,
                    (connection, data) -> data.position(data.limit())).get(10, TimeUnit.SECONDS));
        }
    }

    private static long usedHeap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) { // the least of a few collections: what is really retained
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
