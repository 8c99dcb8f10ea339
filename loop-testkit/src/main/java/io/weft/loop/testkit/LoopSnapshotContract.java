package io.weft.loop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.HandleView;
import io.weft.loop.core.Interest;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.LoopSnapshot;
import io.weft.loop.core.LoopView;
import io.weft.loop.core.RunMode;
import io.weft.loop.core.TimerView;
import io.weft.loop.core.Watcher;
import io.weft.loop.core.WatcherHandler;
import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import io.weft.loop.core.spi.PollerProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The live view of a loop ({@link LoopView}), run against every poller: what a snapshot lists, and
 * what it says when the loop does not answer. A backend's test extends it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class LoopSnapshotContract {
    /** For a subclass, which names the poller the suite runs on. */
    protected LoopSnapshotContract() {
    }

    private static final Duration PATIENT = Duration.ofSeconds(30);

    /** {@return the poller under test} */
    protected abstract PollerProvider provider();

    /**
     * A pipe the poller under test can watch.
     *
     * @return a new pipe, which the caller closes
     * @throws IOException if the pipe cannot be opened
     */
    protected abstract TestPipe newPipe() throws IOException;

    private static final WatcherHandler IGNORE = (watcher, ready) -> {
    };

    @Test
    void listsNamedWatchersAndTheNextTimersWithTheirDeadlines() throws IOException {
        ManualClock clock = new ManualClock();
        try (EventLoop loop = EventLoop.builder().clock(clock).poller(provider()).build();
                TestPipe named = newPipe(); TestPipe unreferenced = newPipe()) {
            loop.watch(named.readEnd(), Interest.READABLE, IGNORE).name("config pipe");
            Watcher quiet = loop.watch(unreferenced.readEnd(), Interest.READABLE, IGNORE).unref();
            Runnable tick = () -> { };
            loop.scheduleRepeating(Duration.ofSeconds(1), Duration.ofSeconds(1), tick).unref();
            loop.schedule(Duration.ofSeconds(5), () -> { });
            loop.schedule(Duration.ofSeconds(9), () -> { }).cancel();
            clock.advance(Duration.ofMillis(1500));
            loop.run(RunMode.NOWAIT); // the repeating timer fires and re-arms at 2 s

            LoopSnapshot snapshot = loop.view().snapshot(PATIENT);

            assertThat(snapshot.answered()).isTrue();
            assertThat(snapshot.note()).isEmpty();
            assertThat(snapshot.loop()).isEqualTo(loop.name());
            assertThat(snapshot.poller()).isEqualTo(provider().name());
            assertThat(snapshot.liveWatchers()).isEqualTo(2);
            assertThat(snapshot.liveTimers()).isEqualTo(2);
            assertThat(snapshot.handles()).containsExactlyInAnyOrder(
                    new HandleView("watcher", "config pipe", true, true, "READABLE", Duration.ofMillis(1500)),
                    new HandleView("watcher", IGNORE.toString(), false, true, "READABLE", Duration.ofMillis(1500)));
            assertThat(snapshot.nextTimers()).containsExactly(
                    new TimerView(tick.getClass().getName(), Duration.ofMillis(500), Duration.ofSeconds(1), false),
                    new TimerView(snapshot.nextTimers().get(1).task(), Duration.ofMillis(3500), Duration.ZERO, true));
            quiet.stop();
            assertThat(loop.view().snapshot(PATIENT).handles()).contains(
                    new HandleView("watcher", IGNORE.toString(), false, false, "NONE", Duration.ofMillis(1500)));
        }
    }

    @Test
    void listsAtMostTheFirstTimersInDeadlineOrder() {
        ManualClock clock = new ManualClock();
        try (EventLoop loop = EventLoop.builder().clock(clock).poller(provider()).build()) {
            for (int seconds = 20; seconds > 0; seconds--) {
                loop.schedule(Duration.ofSeconds(seconds), () -> { });
            }
            List<TimerView> next = loop.view().snapshot(PATIENT).nextTimers();
            assertThat(next).extracting(TimerView::dueIn).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2),
                    Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofSeconds(5));
            assertThat(next).hasSize(LoopView.NEXT_TIMERS);
        }
    }

    @Test
    void aRunningLoopAnswersAnotherThreadAndNamesItsListenerAndConnections() throws Exception {
        try (LoopGroup group = LoopGroup.builder().size(1).name("snapshot-test").poller(provider().name()).build()) {
            CompletableFuture<TcpConnection> opened = new CompletableFuture<>();
            try (TcpServer server = TcpServer.listen(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    TcpOptions.defaults(),
                    () -> new ConnectionHandler() {
                        @Override
                        public void onOpen(TcpConnection connection) {
                            opened.complete(connection);
                        }

                        @Override
                        public void onRead(TcpConnection connection, ByteBuffer data) {
                            data.position(data.limit());
                        }
                    });
                    Socket client = new Socket()) {
                client.connect(server.localAddress(), 10_000);
                opened.get(30, TimeUnit.SECONDS);
                EventLoop loop = group.iterator().next();
                LoopSnapshot snapshot = loop.view().snapshot(PATIENT);

                assertThat(snapshot.answered()).isTrue();
                assertThat(snapshot.handles()).anySatisfy(handle -> {
                    assertThat(handle.kind()).isEqualTo("listener");
                    assertThat(handle.name()).contains(":" + ((InetSocketAddress) server.localAddress()).getPort());
                    assertThat(handle.referenced()).isTrue();
                });
                assertThat(snapshot.handles()).anySatisfy(handle -> {
                    assertThat(handle.kind()).isEqualTo("connection");
                    assertThat(handle.interest()).isEqualTo("READABLE");
                });
                assertThat(snapshot.toJson()).contains("\"kind\":\"connection\"", "\"answered\":true");
            }
        }
    }

    @Test
    void aBlockedLoopAnswersWithThePartialViewWithinTheTimeout() throws Exception {
        try (LoopGroup group = LoopGroup.builder().size(1).name("snapshot-blocked").poller(provider().name()).build()) {
            EventLoop loop = group.iterator().next();
            loop.stats().trackTasks();
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(new Runnable() {
                @Override
                public void run() {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public String toString() {
                    return "the stuck task";
                }
            });
            entered.await();
            try {
                LoopSnapshot snapshot = loop.view().snapshot(Duration.ofMillis(100));

                assertThat(snapshot.answered()).isFalse();
                assertThat(snapshot.note()).isEqualTo("the loop did not answer within 100 ms");
                assertThat(snapshot.currentTask()).isEqualTo("the stuck task");
                assertThat(snapshot.currentTaskFor()).isNotNull().isGreaterThanOrEqualTo(Duration.ZERO);
                assertThat(snapshot.handles()).isEmpty();
                assertThat(snapshot.toString()).contains("did not answer", "running the stuck task for");
                assertThat(snapshot.toJson()).contains("\"answered\":false", "\"currentTask\":\"the stuck task\"");
            } finally {
                release.countDown();
            }
            assertThat(loop.view().snapshot(PATIENT).answered()).isTrue();
        }
    }

    @Test
    void contributedSectionsAppearAndAFailingOneSaysSo() {
        try (EventLoop loop = EventLoop.builder().poller(provider()).build()) {
            loop.view().contribute("parked", () -> List.of("worker-1", "worker-2"));
            loop.view().contribute("broken", () -> {
                throw new IllegalStateException("boom");
            });
            LoopSnapshot snapshot = loop.view().snapshot(PATIENT);
            assertThat(snapshot.sections()).containsEntry("parked", List.of("worker-1", "worker-2"));
            assertThat(snapshot.sections().get("broken")).singleElement().asString().contains("boom");
            assertThat(snapshot.toJson()).contains("\"parked\":[\"worker-1\",\"worker-2\"]");
            assertThatThrownBy(() -> loop.view().contribute("parked", List::of))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already has a snapshot section 'parked'");
        }
    }

    @Test
    void aClosedOrIdleLoopAndBadInput() throws Exception {
        EventLoop loop = EventLoop.builder().poller(provider()).build();
        assertThatThrownBy(() -> loop.view().snapshot(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout must be >= 0");
        // another thread than the owner, loop not running: it cannot answer
        LoopSnapshot idle = CompletableFuture.supplyAsync(() -> loop.view().snapshot(Duration.ofMillis(50)),
                runnable -> Thread.ofPlatform().start(runnable)).get(30, TimeUnit.SECONDS);
        assertThat(idle.answered()).isFalse();
        assertThat(idle.note()).isEqualTo("the loop is not running");
        loop.close();
        LoopSnapshot closed = loop.view().snapshot(PATIENT);
        assertThat(closed.answered()).isFalse();
        assertThat(closed.note()).isEqualTo("the loop is closed");
    }

    @Test
    void jsonEscapesNames() {
        LoopSnapshot snapshot = new LoopSnapshot("a\"b\\c\n", "nio", true, "", 0, 1, 0,
                List.of(new HandleView("watcher", "tab\there\u0001", true, true, "BOTH", Duration.ofMillis(2))),
                List.of(), null, null, java.util.Map.of());
        assertThat(snapshot.toJson()).startsWith("{\"loop\":\"a\\\"b\\\\c\\n\"")
                .contains("\"name\":\"tab\\there\\u0001\"", "\"ageMs\":2.0");
    }
}
