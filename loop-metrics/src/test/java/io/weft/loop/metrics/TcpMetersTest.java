package io.weft.loop.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The connection meters follow real connections on a real loop. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpMetersTest {

    @Test
    void connectionMetersCountOpenAcceptedAndResetConnections() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (LoopGroup group = LoopGroup.builder().size(1).name("tcp-meters").poller("nio").build()) {
            EventLoop loop = group.next();
            LoopMetrics metrics = LoopMetrics.builder(group).lagResolution(null).watchdog(null).build();
            metrics.bindTo(registry);
            TcpServer server = TcpServer.listen(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    TcpOptions.defaults(), () -> new ConnectionHandler() {
                        @Override
                        public void onRead(TcpConnection connection, ByteBuffer data) {
                            connection.write(data);
                        }
                    });
            try (Socket client = new Socket()) {
                client.connect(server.localAddress());
                client.getOutputStream().write(1);
                assertThat(client.getInputStream().read()).isEqualTo(1);
                assertThat(value(registry, LoopMeters.CONNECTIONS_OPEN, loop)).isEqualTo(1);
                assertThat(value(registry, LoopMeters.CONNECTIONS_ACCEPTED, loop)).isEqualTo(1);
                client.setSoLinger(true, 0);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (value(registry, LoopMeters.CONNECTIONS_RESET, loop) < 1 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(value(registry, LoopMeters.CONNECTIONS_RESET, loop)).isEqualTo(1);
            assertThat(value(registry, LoopMeters.CONNECTIONS_OPEN, loop)).isZero();
            assertThat(value(registry, LoopMeters.ACCEPT_FAILURES, loop)).isZero();
            server.close();
            metrics.close();
        }
    }

    private static double value(SimpleMeterRegistry registry, LoopMeters meter, EventLoop loop) {
        var found = registry.find(meter.getName()).tag(LoopMeters.LoopTag.LOOP.asString(), loop.name());
        return meter.getType() == io.micrometer.core.instrument.Meter.Type.GAUGE
                ? found.gauge().value() : found.functionCounter().count();
    }
}
