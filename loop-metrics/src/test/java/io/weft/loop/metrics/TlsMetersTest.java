package io.weft.loop.metrics;

import static io.weft.loop.testkit.TestCertificates.file;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.tls.CertificateStore;
import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.loop.core.net.tls.TlsConnection;
import io.weft.loop.core.net.tls.TlsFailure;
import io.weft.loop.core.net.tls.TlsHandler;
import io.weft.loop.core.net.tls.TlsServer;
import io.weft.loop.core.net.tls.TlsStats;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The TLS meters follow real handshakes, good and failed, on a real loop. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsMetersTest {
    private static final TlsHandler DISCARD = (connection, data) -> data.position(data.limit());

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LoopGroup group = LoopGroup.builder().size(1).name("tls-meters").poller("nio").build();
    private final EventLoop loop = group.next();

    @AfterEach
    void closeGroup() {
        group.close();
    }

    private TlsServer server() throws Exception {
        TlsConfig config = TlsConfig.builder()
                .certificates(new CertificateStore().loadPem(file("server.pem"), file("server.key"))).build();
        return TlsServer.listen(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TcpOptions.defaults(),
                config, () -> DISCARD);
    }

    private CompletableFuture<TlsConnection> connect(TlsServer server, TlsConfig config) {
        return TlsConnection.connect(loop, server.localAddress(), "localhost", TcpOptions.defaults(), config, DISCARD);
    }

    @Test
    void handshakesAreCountedAndEachOneIsTimed() throws Exception {
        LoopMetrics metrics = LoopMetrics.builder(loop).lagResolution(null).watchdog(null).build();
        metrics.bindTo(registry);
        TlsServer server = server();
        TlsConfig client = TlsConfig.builder().trustPem(file("ca.pem")).build();
        connect(server, client).get(10, TimeUnit.SECONDS);
        connect(server, client).get(10, TimeUnit.SECONDS);

        // Both ends of both connections are on this loop: four handshakes.
        awaitValue(() -> counter(LoopMeters.TLS_HANDSHAKES).count(), 4);
        Timer timer = registry.get(LoopMeters.TLS_HANDSHAKE_DURATION.getName()).tag("loop", loop.name()).timer();
        TlsStats stats = TlsStats.of(loop);
        awaitValue(timer::count, 4);
        assertThat((long) timer.totalTime(TimeUnit.NANOSECONDS)).as("the timer records what TlsStats adds up")
                .isEqualTo(stats.handshakeNanos()).isPositive();
        assertThat(timer.max(TimeUnit.NANOSECONDS)).isPositive();
        for (TlsFailure cause : TlsFailure.values()) {
            assertThat(failures(cause).count()).as(cause.name()).isZero();
        }

        metrics.close();
        connect(server, client).get(10, TimeUnit.SECONDS);
        awaitValue(() -> stats.handshakes(), 6);
        assertThat(timer.count()).as("a closed binder records no more handshakes").isEqualTo(4);
        CompletableFuture.runAsync(server::close, loop).get(10, TimeUnit.SECONDS);
    }

    @Test
    void failedHandshakesAreCountedByCause() throws Exception {
        LoopMetrics.builder(loop).lagResolution(null).watchdog(null).build().bindTo(registry);
        TlsServer server = server();
        try (Socket plaintext = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
            OutputStream out = plaintext.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            awaitValue(() -> failures(TlsFailure.NOT_TLS).count(), 1);
        }
        // A client that does not trust the server's CA fails on the certificate, and the server on
        // the client's alert: both ends are on this loop.
        TlsConfig untrusting = TlsConfig.builder().trustPem(file("rogue-ca.pem")).build();
        assertThat(connect(server, untrusting).handle((c, e) -> e).get(10, TimeUnit.SECONDS)).isNotNull();
        awaitValue(() -> failures(TlsFailure.CERTIFICATE).count(), 2);

        assertThat(counter(LoopMeters.TLS_HANDSHAKES).count()).isZero();
        assertThat(registry.get(LoopMeters.TLS_HANDSHAKE_DURATION.getName()).timer().count()).isZero();
        for (TlsFailure cause : TlsFailure.values()) {
            assertThat(failures(cause).count()).as("the meter reads TlsStats for " + cause)
                    .isEqualTo(TlsStats.of(loop).failures(cause));
        }
        CompletableFuture.runAsync(server::close, loop).get(10, TimeUnit.SECONDS);
    }

    @Test
    void withPercentileHistogramsTheHandshakeTimerHasBuckets() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LoopMetrics.builder(loop).lagResolution(null).watchdog(null).percentileHistograms(true).build().bindTo(prometheus);
        TlsServer server = server();
        connect(server, TlsConfig.builder().trustPem(file("ca.pem")).build()).get(10, TimeUnit.SECONDS);
        Timer timer = prometheus.get(LoopMeters.TLS_HANDSHAKE_DURATION.getName()).timer();
        awaitValue(timer::count, 2);
        String series = "weft_loop_tls_handshake_duration_seconds";
        assertThat(prometheus.scrape())
                .contains(series + "_bucket{loop=\"" + loop.name() + "\",le=\"+Inf\"} 2")
                .contains(series + "_count{loop=\"" + loop.name() + "\"} 2");
        CompletableFuture.runAsync(server::close, loop).get(10, TimeUnit.SECONDS);
    }

    private FunctionCounter counter(LoopMeters meter) {
        return registry.get(meter.getName()).tag("loop", loop.name()).functionCounter();
    }

    private FunctionCounter failures(TlsFailure cause) {
        return registry.get(LoopMeters.TLS_FAILURES.getName()).tag("loop", loop.name())
                .tag(LoopMeters.TlsTag.CAUSE.asString(), cause.name().toLowerCase(Locale.ROOT)).functionCounter();
    }

    /** Waits (10 s at most) for {@code value} to reach {@code expected}, then asserts it is exactly that. */
    private static void awaitValue(DoubleSupplier value, double expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (value.getAsDouble() < expected && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        assertThat(value.getAsDouble()).isEqualTo(expected);
    }
}
