package io.weft.loop.epoll.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.Interest;
import io.weft.loop.core.RunMode;
import io.weft.loop.core.Watcher;
import io.weft.loop.core.WatcherHandler;
import io.weft.loop.core.spi.PollSource;
import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.PollerProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The loop on epoll where epoll matters: fd reuse, fds closed behind its back, signals. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EpollLoopBehaviourTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<Throwable> thrown = new CopyOnWriteArrayList<>();
    private final CapturingProvider provider = new CapturingProvider();
    private long fdsBefore;

    @BeforeEach
    void countFds() {
        fdsBefore = TestNative.openFds();
    }

    @AfterEach
    void nothingLeaks() throws Exception {
        TestNative.closeNewestFirst(toClose);
        if (provider.last != null) {
            assertThat(provider.last.nativeMemoryFreed()).as("the poller freed its native memory").isTrue();
        }
        assertThat(TestNative.openFds()).as("open pipes, epoll fds and eventfds after the test").isEqualTo(fdsBefore);
    }

    private EventLoop loop() {
        EventLoop loop = EventLoop.builder().name("epoll-test").poller(provider)
                .exceptionHandler((l, task, error) -> thrown.add(error)).build();
        toClose.add(loop);
        return loop;
    }

    private EpollTestPipe pipe() throws IOException {
        EpollTestPipe pipe = new EpollTestPipe();
        toClose.add(pipe);
        return pipe;
    }

    @Test
    void anFdClosedAndReusedWithinOneBatchDoesNotDeliverTheOldEventToTheNewWatcher() throws IOException {
        EventLoop loop = loop();
        EpollTestPipe[] pipes = {pipe(), pipe()};
        Watcher[] watchers = new Watcher[2];
        List<String> calls = new ArrayList<>();
        int[] reused = new int[2];
        WatcherHandler closeTheOtherAndReuseItsFd = (w, ready) -> {
            int me = w == watchers[0] ? 0 : 1;
            int other = 1 - me;
            calls.add("handler " + me);
            watchers[other].close();
            reused[0] = pipes[other].readFd();
            pipes[other].closeReadEnd();
            try {
                EpollTestPipe fresh = pipe(); // the lowest free fd: the one just closed
                reused[1] = fresh.readFd();
                fresh.writeByte();
                loop.watch(fresh.readEnd(), Interest.READABLE, (w2, r2) -> calls.add("new"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            w.close();
        };
        watchers[0] = loop.watch(pipes[0].readEnd(), Interest.READABLE, closeTheOtherAndReuseItsFd);
        watchers[1] = loop.watch(pipes[1].readEnd(), Interest.READABLE, closeTheOtherAndReuseItsFd);
        loop.run(RunMode.NOWAIT); // arms both
        pipes[0].writeByte();
        pipes[1].writeByte();
        loop.run(RunMode.NOWAIT);
        assertThat(reused[1]).as("the new pipe got the closed fd's number").isEqualTo(reused[0]);
        assertThat(calls).as("one handler ran; the other's event was stale").hasSize(1).doesNotContain("new");
        loop.run(RunMode.NOWAIT);
        assertThat(calls).as("the new watcher sees its own data next time").endsWith("new");
        assertThat(thrown).isEmpty();
    }

    @Test
    void anFdClosedByAnotherThreadWhileWatchedLeavesTheLoopRunning() throws Exception {
        EventLoop loop = loop();
        EpollTestPipe pipe = pipe();
        EpollTestPipe keepAlive = pipe();
        Watcher watcher = loop.watch(pipe.readEnd(), Interest.READABLE, (w, r) -> { });
        List<String> events = new CopyOnWriteArrayList<>();
        loop.watch(keepAlive.readEnd(), Interest.READABLE, (w, r) -> {
            events.add("keepAlive");
            loop.stop();
        });
        LoopThread runner = new LoopThread(loop);
        runner.awaitBlockedInEpoll();

        Thread.ofPlatform().start(pipe::closeReadEnd).join(); // behind the loop's back
        CountDownLatch closed = new CountDownLatch(1);
        watcher.close(closed::countDown); // from this thread: handed to the loop
        assertThat(closed.await(10, TimeUnit.SECONDS)).as("the watcher closed").isTrue();
        keepAlive.writeByte();
        runner.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(runner.isAlive()).isFalse();
        assertThat(runner.failure).isNull();
        assertThat(events).containsExactly("keepAlive");
        assertThat(thrown).as("releasing an fd that is gone already is not an error").isEmpty();
        assertThat(provider.last.quietDeletes).isEqualTo(1);
    }

    @Test
    void aSignalDuringTheWaitIsRetriedAndTheLoopGoesOn() throws Exception {
        EventLoop loop = loop();
        EpollTestPipe pipe = pipe();
        List<String> events = new CopyOnWriteArrayList<>();
        loop.watch(pipe.readEnd(), Interest.READABLE, (w, r) -> {
            events.add("read");
            loop.stop();
        });
        try (AutoCloseable _ = TestNative.installHarmlessHandler(TestNative.SIGUSR1)) {
            LoopThread runner = new LoopThread(loop);
            runner.awaitBlockedInEpoll();
            long iterations = loop.stats().iterations();
            TestNative.tgkill(runner.tid, TestNative.SIGUSR1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (provider.last.interruptedWaits == 0) {
                assertThat(System.nanoTime() - deadline).as("the poller saw EINTR").isNegative();
                Thread.sleep(1);
            }
            runner.awaitBlockedInEpoll();
            assertThat(loop.stats().iterations()).as("the poll did not return to the loop").isEqualTo(iterations);
            CountDownLatch ran = new CountDownLatch(1);
            loop.execute(ran::countDown);
            assertThat(ran.await(10, TimeUnit.SECONDS)).as("a task from another thread still runs").isTrue();
            pipe.writeByte();
            runner.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(events).containsExactly("read");
            assertThat(runner.failure).isNull();
        }
    }

    @Test
    void watchingAClosedFdFailsWithTheErrnoMessage() throws IOException {
        EventLoop loop = loop();
        EpollTestPipe pipe = new EpollTestPipe();
        int fd = pipe.readFd();
        pipe.close();
        assertThatThrownBy(() -> loop.watch(PollSource.ofFd(fd), Interest.READABLE, (w, r) -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epoll_ctl(ADD, fd=" + fd + "): EBADF (Bad file descriptor)");
        assertThat(loop.stats().liveWatchers()).isZero();
    }

    @Test
    void watchingAClosedChannelFailsAndNamesIt() throws IOException {
        EventLoop loop = loop();
        Pipe pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        pipe.source().close();
        pipe.sink().close();
        // Through the poller's validate: EventLoop.watch(SelectableChannel) checks closedness itself.
        assertThatThrownBy(() -> loop.watch(PollSource.of(pipe.source()), Interest.READABLE, (w, r) -> { }))
                .hasMessageContaining("is closed").hasRootCauseInstanceOf(IOException.class);
        assertThat(loop.stats().liveWatchers()).isZero();
    }

    /** Runs a loop on a platform thread and knows its Linux thread id. */
    private static final class LoopThread extends Thread {
        private final EventLoop loop;
        private final CountDownLatch started = new CountDownLatch(1);
        volatile int tid;
        volatile Throwable failure;

        LoopThread(EventLoop loop) {
            this.loop = loop;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            tid = TestNative.gettid();
            started.countDown();
            try {
                loop.run();
            } catch (Throwable t) {
                failure = t;
            }
        }

        void awaitBlockedInEpoll() throws InterruptedException {
            started.await();
            TestNative.awaitBlockedInEpoll(tid);
        }
    }

    /** Opens epoll pollers and keeps the last, so tests can read its counters. */
    private static final class CapturingProvider implements PollerProvider {
        volatile EpollPoller last;

        @Override
        public String name() {
            return "epoll";
        }

        @Override
        public int priority() {
            return 10;
        }

        @Override
        public Optional<String> unavailabilityCause() {
            return Optional.empty();
        }

        @Override
        public Poller newPoller() throws IOException {
            last = EpollPoller.open(EpollPoller.Options.DEFAULT);
            return last;
        }
    }
}
