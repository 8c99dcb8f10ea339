package io.weft.loop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.CloseReason;
import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import io.weft.loop.core.net.TcpStats;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The listener contract, run against every TCP backend: port sharing only on request, and a
 * listener whose loop shuts down leaks no descriptor and is closed by its loop alone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TcpServerContract {
    /** For a subclass, which names the poller the suite runs on. */
    protected TcpServerContract() {
    }

    private static final Duration LONG_GRACE = Duration.ofSeconds(60);

    /** {@return the poller (and so the TCP backend) under test} */
    protected abstract String pollerName();

    private final List<LoopGroup> groups = new ArrayList<>();
    private final List<TcpServer> servers = new ArrayList<>();
    private final List<DrainHold> holds = new ArrayList<>();

    @AfterEach
    void closeEverything() {
        holds.forEach(DrainHold::release);
        servers.forEach(TcpServer::close);
        groups.forEach(LoopGroup::close);
    }

    private LoopGroup group(int size) {
        LoopGroup group = LoopGroup.builder().size(size).name("tcp-server-test").poller(pollerName()).build();
        groups.add(group);
        return group;
    }

    private TcpServer echo(LoopGroup group, SocketAddress address, TcpOptions options) throws IOException {
        TcpServer server = TcpServer.listen(group, address, options, () -> new ConnectionHandler() {
            @Override
            public void onRead(TcpConnection connection, ByteBuffer data) {
                connection.write(data);
            }
        });
        servers.add(server);
        return server;
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private static void assertEchoes(SocketAddress address) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(42);
            assertThat(socket.getInputStream().read()).isEqualTo(42);
        }
    }

    /**
     * Connects, sends a byte and reads: whether the server side was closed (end of stream or a
     * reset, also one that beats the connect's own completion) rather than served or left open (a
     * leaked accepted fd keeps the client waiting until the read times out). A refused connect,
     * meaning nothing listened any more, is thrown.
     */
    private static boolean closedByServer(SocketAddress address) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(10_000);
            try {
                socket.connect(address, 10_000);
                socket.getOutputStream().write(7);
                return socket.getInputStream().read() == -1;
            } catch (ConnectException refused) {
                throw refused;
            } catch (SocketTimeoutException leaked) {
                return false;
            } catch (SocketException reset) {
                return true;
            }
        }
    }

    /**
     * Keeps a loop in the drain phase of a graceful shutdown: a task that queues itself again on the
     * loop thread (allowed while shutting down) until released, so the loop keeps polling. It also
     * runs, once, an action handed to {@link #runOnLoop} (other threads' tasks are refused by then).
     */
    private final class DrainHold implements Runnable {
        private final EventLoop loop;
        private final AtomicBoolean held = new AtomicBoolean(true);
        private final CountDownLatch running = new CountDownLatch(1);
        private final AtomicReference<Runnable> action = new AtomicReference<>();

        DrainHold(EventLoop loop) throws InterruptedException {
            this.loop = loop;
            holds.add(this);
            loop.execute(this);
            assertThat(running.await(10, TimeUnit.SECONDS)).as("hold started").isTrue();
            loop.shutdownGracefully(LONG_GRACE);
            assertThat(loop.isShuttingDown()).isTrue();
        }

        @Override
        public void run() {
            running.countDown();
            Runnable once = action.getAndSet(null);
            if (once != null) {
                once.run();
            }
            if (held.get()) {
                loop.execute(this);
            }
        }

        void runOnLoop(Runnable once) {
            action.set(once);
        }

        void release() {
            held.set(false);
        }

        void releaseAndAwaitClosed() throws Exception {
            release();
            loop.terminationFuture().get(10, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------------ port sharing

    @Test
    void aBusyPortFailsWithBindExceptionUnlessPortSharingIsAskedFor() throws Exception {
        LoopGroup group = group(2);
        TcpServer first = echo(group, loopback(), TcpOptions.defaults());
        assertThatThrownBy(() -> echo(group, first.localAddress(), TcpOptions.defaults()))
                .isInstanceOf(BindException.class)
                .hasMessageContaining(String.valueOf(((InetSocketAddress) first.localAddress()).getPort()))
                .hasMessageContaining("port sharing is off")
                .hasMessageContaining("withReusePort(true)");
        assertEchoes(first.localAddress()); // the first server still has its port alone
    }

    @Test
    void withPortSharingTwoServersBindOnePortAndBothServe() throws Exception {
        LoopGroup group = group(2);
        TcpOptions sharing = TcpOptions.defaults().withReusePort(true);
        TcpServer first = echo(group, loopback(), sharing);
        TcpServer second = echo(group, first.localAddress(), sharing);
        assertThat(second.localAddress()).isEqualTo(first.localAddress());
        for (int i = 0; i < 20; i++) {
            assertEchoes(first.localAddress()); // whichever listener the kernel picks serves it
        }
    }

    @Test
    void aSharedPortStillRefusesAServerThatDoesNotShare() throws Exception {
        LoopGroup group = group(1);
        TcpServer shared = echo(group, loopback(), TcpOptions.defaults().withReusePort(true));
        assertThatThrownBy(() -> echo(group, shared.localAddress(), TcpOptions.defaults()))
                .isInstanceOf(BindException.class);
    }

    // ------------------------------------------------------------------ shutdown

    @Test
    void aListenerWhoseLoopShutsDownStopsAcceptingAndLeavesNoAcceptedSocketOpen() throws Exception {
        LoopGroup group = group(1);
        EventLoop loop = group.next();
        TcpServer server = echo(group, loopback(), TcpOptions.defaults());
        DrainHold hold = new DrainHold(loop);
        assertThat(closedByServer(server.localAddress())).as("the connection was closed, not leaked").isTrue();
        hold.releaseAndAwaitClosed();
        TcpStats stats = TcpStats.of(loop);
        assertThat(stats.acceptedConnections() - stats.shedConnections()).as("connections served").isZero();
        assertThat(stats.openConnections()).isZero();
    }

    @Test
    void aConnectionHandedToALoopThatIsShuttingDownIsClosedAndCounted() throws Exception {
        LoopGroup group = group(2);
        TcpServer server = echo(group, loopback(), TcpOptions.defaults()); // one listener, round robin
        EventLoop stopping = group.loops().get(1);
        DrainHold hold = new DrainHold(stopping);
        int closed = 0;
        for (int i = 0; i < 2; i++) { // round robin: one lands on each loop
            if (closedByServer(server.localAddress())) {
                closed++;
            }
        }
        assertThat(closed).as("connections closed unserved").isEqualTo(1);
        long shed = 0;
        for (EventLoop loop : group) {
            shed += TcpStats.of(loop).shedConnections();
        }
        assertThat(shed).as("counted as shed").isEqualTo(1);
        hold.releaseAndAwaitClosed();
    }

    @Test
    void aConnectOnALoopThatIsShuttingDownFailsItsFutureAndCallsOnClose() throws Exception {
        LoopGroup group = group(1);
        EventLoop loop = group.next();
        TcpServer server = echo(group(1), loopback(), TcpOptions.defaults());
        DrainHold hold = new DrainHold(loop);
        CompletableFuture<CloseReason> onClose = new CompletableFuture<>();
        CompletableFuture<CompletableFuture<TcpConnection>> connect = new CompletableFuture<>();
        hold.runOnLoop(() -> { // on the loop thread while it shuts down, so the connect starts
            try {
                connect.complete(TcpConnection.connect(loop, server.localAddress(), TcpOptions.defaults(),
                        new ConnectionHandler() {
                            @Override
                            public void onRead(TcpConnection connection, ByteBuffer data) {
                            }

                            @Override
                            public void onClose(TcpConnection connection, CloseReason reason, Throwable cause) {
                                onClose.complete(reason);
                            }
                        }));
            } catch (RuntimeException e) {
                connect.completeExceptionally(e);
            }
        });
        CompletableFuture<TcpConnection> future = connect.get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("shutting down");
        assertThat(onClose.get(10, TimeUnit.SECONDS)).isEqualTo(CloseReason.LOOP_CLOSED);
        hold.releaseAndAwaitClosed();
    }

    @Test
    void aCloseRefusedByAStoppingLoopLeavesTheListenerToThatLoop() throws Exception {
        LoopGroup group = group(1);
        EventLoop loop = group.next();
        TcpServer server = echo(group, loopback(), TcpOptions.defaults());
        DrainHold hold = new DrainHold(loop);
        server.close(); // refused by the stopping loop: this thread must not close a socket the loop polls
        assertThat(closedByServer(server.localAddress())).as("still listening: only its loop closes it").isTrue();
        hold.releaseAndAwaitClosed();
        assertThatThrownBy(() -> new Socket().connect(server.localAddress(), 10_000))
                .as("the loop closed the listener").isInstanceOf(ConnectException.class);
    }
}
