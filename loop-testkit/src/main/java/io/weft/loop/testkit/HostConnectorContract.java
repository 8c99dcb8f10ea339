package io.weft.loop.testkit;

import io.weft.loop.core.net.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.RunMode;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connecting by host name, run against every backend: real sockets on loopback only, a resolver the
 * test gives (so "a host" is a list of loopback addresses), the stagger and the timeout on a {@link
 * ManualClock}. The loop runs on the test thread, {@link RunMode#NOWAIT} until a condition holds.
 *
 * <p>An address that "does not answer" is a listener whose accept queue is full: the kernel drops
 * further SYNs, so a connect to it stays pending until cancelled.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
public abstract class HostConnectorContract {
    /** For a subclass, which names the poller the suite runs on. */
    protected HostConnectorContract() {
    }


    /** {@return the poller (and so the TCP backend) under test} */
    protected abstract String pollerName();

    private final ManualClock clock = new ManualClock();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private EventLoop loop;

    private EventLoop loop() {
        if (loop == null) {
            loop = EventLoop.builder().name("connector").clock(clock).poller(pollerName()).build();
        }
        return loop;
    }

    @AfterEach
    void closeEverything() throws Exception {
        if (loop != null) {
            loop.close();
        }
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    private void runUntil(BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            if (Thread.currentThread().isInterrupted()) {
                throw new AssertionError("interrupted (the test timed out) before the condition held");
            }
            loop().run(RunMode.NOWAIT);
            Thread.onSpinWait();
        }
    }

    private static HostResolver resolvesTo(String... literals) {
        return host -> {
            List<InetAddress> addresses = new ArrayList<>();
            for (String literal : literals) {
                addresses.add(InetAddress.getByName(literal)); // literals: no lookup
            }
            return addresses;
        };
    }

    private <T extends AutoCloseable> T closing(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    /** A listener on {@code ip} that never answers a connect: its accept queue (backlog 1) is full. */
    private ServerSocket silent(String ip) throws IOException {
        ServerSocket full = closing(new ServerSocket(0, 1, InetAddress.getByName(ip)));
        for (int i = 0; i < 2; i++) { // Linux queues backlog + 1 connections
            closing(new Socket(full.getInetAddress(), full.getLocalPort()));
        }
        return full;
    }

    /** A listener on {@code ip}:{@code port} that the kernel completes connects for (never accepts). */
    private ServerSocketChannel listening(String ip, int port) throws IOException {
        ServerSocketChannel channel = closing(ServerSocketChannel.open());
        channel.configureBlocking(false);
        channel.bind(new InetSocketAddress(InetAddress.getByName(ip), port), 16);
        return channel;
    }

    /** A free port on 127.0.0.1, closed again: nothing listens there, so a connect is refused. */
    private static int refusingPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return probe.getLocalPort();
        }
    }

    private static Throwable failure(CompletableFuture<TcpConnection> future) {
        assertThat(future).isCompletedExceptionally();
        try {
            future.get();
            throw new AssertionError("not failed");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Counts the events the application's handler gets. */
    private static class Recording implements ConnectionHandler {
        final List<TcpConnection> opened = new ArrayList<>();
        final List<CloseReason> closed = new ArrayList<>();

        @Override
        public void onOpen(TcpConnection connection) {
            opened.add(connection);
        }

        @Override
        public void onRead(TcpConnection connection, ByteBuffer data) {
            data.position(data.limit());
        }

        @Override
        public void onClose(TcpConnection connection, CloseReason reason, Throwable cause) {
            closed.add(reason);
        }
    }

    @Test
    void localhostOnBothFamiliesWithOnlyIpv4ListeningConnectsThereAtOnceAfterIpv6IsRefused() throws Exception {
        ServerSocketChannel v4 = listening("127.0.0.1", 0);
        int port = ((InetSocketAddress) v4.getLocalAddress()).getPort();
        Recording handler = new Recording();
        HostConnector connector = HostConnector.builder().resolver(resolvesTo("127.0.0.1", "::1")).build();

        CompletableFuture<TcpConnection> future = connector.connect(loop(), "localhost", port, handler);
        runUntil(future::isDone); // the clock never moves: the refusal, not the stagger, started IPv4

        TcpConnection connection = future.get();
        assertThat(connection.remoteAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", port));
        assertThat(handler.opened).containsExactly(connection);
        connection.abort(); // a close would wait for the peer (which never reads) on the manual clock
        runUntil(() -> !handler.closed.isEmpty());
        assertThat(handler.closed).containsExactly(CloseReason.LOCAL_CLOSE);
    }

    @Test
    void theDefaultConnectorResolvesLocalhostFromTheHostsFileOffTheLoop() throws Exception {
        ServerSocketChannel v4 = listening("127.0.0.1", 0);
        int port = ((InetSocketAddress) v4.getLocalAddress()).getPort();
        Thread loopThread = Thread.currentThread();
        AtomicReference<Thread> resolvedOn = new AtomicReference<>();
        HostConnector connector = HostConnector.builder().resolver(host -> {
            resolvedOn.set(Thread.currentThread());
            return HostResolver.SYSTEM.resolve(host);
        }).build();

        CompletableFuture<TcpConnection> future = connector.connect(loop(), "localhost", port, new Recording());
        runUntil(future::isDone); // were localhost ::1 too, nothing listens there: refused, then IPv4

        assertThat(future.get().remoteAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", port));
        assertThat(resolvedOn.get()).isNotSameAs(loopThread);
        assertThat(resolvedOn.get().isVirtual()).isTrue();
        future.get().abort();
    }

    @Test
    void anUnansweredAddressGetsTheAttemptDelayThenTheNextStartsAndWinsAndTheLoserIsCancelled() throws Exception {
        ServerSocket quiet = silent("127.0.0.2");
        int port = quiet.getLocalPort();
        ServerSocketChannel answering;
        try {
            answering = listening("127.0.0.1", port);
        } catch (BindException e) {
            throw new org.opentest4j.TestAbortedException("port " + port + " is taken on 127.0.0.1", e);
        }
        Recording handler = new Recording();
        HostConnector connector = HostConnector.builder().resolver(resolvesTo("127.0.0.2", "127.0.0.1"))
                .attemptDelay(Duration.ofMillis(100)).build();

        CompletableFuture<TcpConnection> future = connector.connect(loop(), "twin", port, handler);
        runUntil(() -> loop().stats().liveTimers() == 2); // the timeout, and the stagger of the first attempt
        loop().run(RunMode.NOWAIT);
        assertThat(future).isNotDone();
        assertThat(answering.accept()).as("the second address has not been tried").isNull();

        clock.advance(Duration.ofMillis(99));
        loop().run(RunMode.NOWAIT);
        assertThat(loop().stats().liveTimers()).as("the stagger is not due yet").isEqualTo(2);

        clock.advance(Duration.ofMillis(1));
        runUntil(future::isDone);
        assertThat(future.get().remoteAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", port));
        assertThat(loop().stats().liveTimers()).as("the timeout is cancelled").isZero();
        assertThat(loop().stats().liveWatchers()).as("only the winner's socket is left").isEqualTo(1);
        assertThat(handler.opened).hasSize(1);
    }

    @Test
    void noAnswerWithinTheConnectTimeoutFailsNamingTheHostAndEachAddress() throws Exception {
        int port = silent("127.0.0.2").getLocalPort();
        Recording handler = new Recording();
        HostConnector connector = HostConnector.builder().resolver(resolvesTo("127.0.0.3", "127.0.0.2"))
                .connectTimeout(Duration.ofSeconds(5)).build();
        // 127.0.0.3 has nothing on the port: refused at once, so 127.0.0.2 starts; it stays silent.
        CompletableFuture<TcpConnection> future = connector.connect(loop(), "quiet.example", port, handler);
        runUntil(() -> loop().stats().liveTimers() == 1 && loop().stats().liveWatchers() == 1);

        clock.advance(Duration.ofMillis(4_999));
        loop().run(RunMode.NOWAIT);
        assertThat(future).isNotDone();
        clock.advance(Duration.ofMillis(1));
        runUntil(future::isDone);

        Throwable failure = failure(future);
        assertThat(failure).isInstanceOf(HostConnectException.class)
                .hasMessageContaining("connect to quiet.example:" + port + " timed out after PT5S")
                .hasMessageContaining(": 127.0.0.3:" + port + " failed (java.net.ConnectException")
                .hasMessageEndingWith("; 127.0.0.2:" + port + " had no answer");
        HostConnectException connect = (HostConnectException) failure;
        assertThat(connect.timedOut()).isTrue();
        assertThat(connect.host()).isEqualTo("quiet.example");
        assertThat(connect.attempts()).hasSize(2);
        assertThat(loop().stats().liveWatchers()).as("the silent attempt is cancelled").isZero();
        assertThat(handler.opened).isEmpty();
        assertThat(handler.closed).as("the handler sees no losing attempt").isEmpty();
    }

    @Test
    void everyAddressRefusedFailsListingEachWithItsCause() throws Exception {
        int port = refusingPort();
        CompletableFuture<TcpConnection> future = HostConnector.builder().resolver(resolvesTo("127.0.0.1", "::1"))
                .build().connect(loop(), "nobody.home", port, new Recording());
        runUntil(future::isDone);

        Throwable failure = failure(future);
        assertThat(failure).isInstanceOf(HostConnectException.class)
                .hasMessageStartingWith("connect to nobody.home:" + port + " failed: [0:0:0:0:0:0:0:1]:" + port + " failed (")
                .hasMessageContaining("; 127.0.0.1:" + port + " failed (");
        assertThat(((HostConnectException) failure).timedOut()).isFalse();
        assertThat(failure.getSuppressed()).hasSize(2);
        assertThat(loop().stats().liveTimers()).isZero();
    }

    @Test
    void anUnknownHostFailsWithTheResolversUnknownHostException() throws Exception {
        CompletableFuture<TcpConnection> future = HostConnector.builder()
                .resolver(host -> {
                    throw new UnknownHostException(host + ": Name or service not known");
                })
                .build().connect(loop(), "no-such-host.invalid", 80, new Recording());
        runUntil(future::isDone);

        assertThat(failure(future)).isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("no-such-host.invalid");
        assertThat(loop().stats().liveTimers()).isZero();
    }

    @Test
    void aResolverThatHangsIsBoundedByTheConnectTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        closing(release::countDown);
        CompletableFuture<TcpConnection> future = HostConnector.builder().connectTimeout(Duration.ofSeconds(2))
                .resolver(host -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new UnknownHostException(host);
                })
                .build().connect(loop(), "slow.dns", 80, new Recording());
        runUntil(() -> loop().stats().liveTimers() == 1);

        clock.advance(Duration.ofSeconds(2));
        runUntil(future::isDone);

        assertThat(failure(future)).isInstanceOf(HostConnectException.class)
                .hasMessage("connect to slow.dns:80 timed out after PT2S while resolving slow.dns");
    }

    @Test
    void cancellingTheFutureCancelsTheAttemptsAndTheirTimers() throws Exception {
        int port = silent("127.0.0.2").getLocalPort();
        Recording handler = new Recording();
        CompletableFuture<TcpConnection> future = HostConnector.builder()
                .resolver(resolvesTo("127.0.0.2", "127.0.0.3")).attemptDelay(Duration.ofSeconds(1))
                .build().connect(loop(), "quiet", port, handler);
        runUntil(() -> loop().stats().liveWatchers() == 1);

        future.cancel(false);
        runUntil(() -> loop().stats().liveWatchers() == 0 && loop().stats().liveTimers() == 0);
        assertThat(loop().run(RunMode.NOWAIT)).as("nothing keeps the loop alive").isFalse();
        assertThat(handler.closed).isEmpty();
    }

    @Test
    void anOnOpenThatThrowsFailsTheFutureWithWhatItThrew() throws Exception {
        ServerSocketChannel v4 = listening("127.0.0.1", 0);
        int port = ((InetSocketAddress) v4.getLocalAddress()).getPort();
        IllegalStateException thrown = new IllegalStateException("handler refuses");
        CompletableFuture<TcpConnection> future = HostConnector.builder().resolver(resolvesTo("127.0.0.1")).build()
                .connect(loop(), "localhost", port, new Recording() {
                    @Override
                    public void onOpen(TcpConnection connection) {
                        throw thrown;
                    }
                });
        runUntil(future::isDone);

        assertThat(failure(future)).isSameAs(thrown);
    }

    @Test
    void misuseFailsFastSayingWhatToDo() {
        HostConnector connector = HostConnector.defaults();
        assertThatThrownBy(() -> connector.connect(loop(), " ", 80, new Recording()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host is blank");
        assertThatThrownBy(() -> connector.connect(loop(), "localhost", 0, new Recording()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> HostConnector.builder().attemptDelay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attemptDelay");
        assertThatThrownBy(() -> HostConnector.builder().connectTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout must be positive");
    }
}
