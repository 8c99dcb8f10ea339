package io.weft.loop.epoll.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.spi.PollSource;
import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.ReadyEvents;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the epoll poller does beyond the contract: its struct, its errors, its wake-ups, its signals. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EpollPollerBehaviourTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ReadyEvents ready = new ReadyEvents(8);
    private long fdsBefore;

    @BeforeEach
    void countFds() {
        fdsBefore = TestNative.openFds();
    }

    @AfterEach
    void nothingLeaks() throws Exception {
        TestNative.closeNewestFirst(toClose);
        assertThat(TestNative.openFds()).as("open fds after the test").isEqualTo(fdsBefore);
    }

    private EpollPoller poller(EpollPoller.Options options) throws IOException {
        EpollPoller poller = EpollPoller.open(options);
        toClose.add(poller);
        return poller;
    }

    private EpollTestPipe pipe() throws IOException {
        EpollTestPipe pipe = new EpollTestPipe();
        toClose.add(pipe);
        return pipe;
    }

    // ------------------------------------------------------------------ struct and errors

    @Test
    void theEventStructHasTheSizeOfTheRunningArchitecture() {
        String arch = System.getProperty("os.arch");
        long expected = arch.equals("amd64") || arch.equals("x86_64") ? 12 : 16;
        assertThat(EpollCalls.EVENT.byteSize()).as("sizeof(struct epoll_event) on " + arch).isEqualTo(expected);
        assertThat(EpollCalls.DATA_OFFSET).isEqualTo(expected - 8);
        assertThat(EpollCalls.eventLayout("amd64").byteSize()).isEqualTo(12);
        assertThat(EpollCalls.eventLayout("aarch64").byteSize()).isEqualTo(16);
        assertThat(EpollCalls.eventLayout("aarch64").byteOffset(
                java.lang.foreign.MemoryLayout.PathElement.groupElement("data"))).isEqualTo(8);
    }

    @Test
    void armingAClosedFdNamesTheCallTheFdAndTheErrno() throws IOException {
        EpollPoller poller = poller(EpollPoller.Options.DEFAULT);
        EpollTestPipe pipe = new EpollTestPipe();
        int fd = pipe.readFd();
        pipe.close();
        assertThatThrownBy(() -> poller.update(PollSource.ofFd(fd), 1, 0, Poller.READABLE))
                .isInstanceOf(IOException.class)
                .hasMessage("epoll_ctl(ADD, fd=" + fd + "): EBADF (Bad file descriptor)");
        assertThatThrownBy(() -> poller.validate(PollSource.ofFd(fd)))
                .isInstanceOf(IOException.class)
                .hasMessage("epoll_ctl(ADD, fd=" + fd + "): EBADF (Bad file descriptor)");
    }

    @Test
    void aRegularFileIsRefusedAtValidationBecauseEpollCannotWatchIt(@TempDir Path dir) throws IOException {
        EpollPoller poller = poller(EpollPoller.Options.DEFAULT);
        Path file = Files.writeString(dir.resolve("plain.txt"), "x");
        try (FileInputStream _ = new FileInputStream(file.toFile())) {
            int fd = TestNative.fdOf(file);
            assertThatThrownBy(() -> poller.validate(PollSource.ofFd(fd)))
                    .isInstanceOf(IOException.class)
                    .hasMessage("epoll_ctl(ADD, fd=" + fd + "): EPERM (Operation not permitted)");
        }
    }

    @Test
    void aValidatedFdIsNotLeftRegistered() throws IOException {
        EpollPoller poller = poller(EpollPoller.Options.DEFAULT);
        EpollTestPipe pipe = pipe();
        poller.validate(pipe.readEnd());
        pipe.writeByte();
        poller.poll(0, ready);
        assertThat(ready.size()).as("validation's ADD is undone by a DEL").isZero();
        poller.update(pipe.readEnd(), 3, 0, Poller.READABLE); // ADD works: nothing was left behind
        poller.poll(0, ready);
        assertThat(ready.size()).isEqualTo(1);
    }

    @Test
    void aClosedChannelIsRefusedWithAnIOExceptionAndABlockingOneWithWhatToDo() throws IOException {
        EpollPoller poller = poller(EpollPoller.Options.DEFAULT);
        Pipe pipe = Pipe.open();
        try {
            assertThatThrownBy(() -> poller.validate(PollSource.of(pipe.source())))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("configureBlocking(false)");
            pipe.source().configureBlocking(false);
            poller.validate(PollSource.of(pipe.source()));
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
        assertThatThrownBy(() -> poller.validate(PollSource.of(pipe.source()))).isInstanceOf(IOException.class)
                .hasMessageContaining("is closed");
        assertThatThrownBy(() -> poller.update(PollSource.of(pipe.source()), 1, 0, Poller.READABLE))
                .isInstanceOf(IOException.class).hasMessageContaining("is closed");
        poller.release(PollSource.of(pipe.source()), Poller.READABLE); // its close took it out already
    }

    @Test
    void theWakeupTokenIsReserved() throws IOException {
        EpollPoller poller = poller(EpollPoller.Options.DEFAULT);
        EpollTestPipe pipe = pipe();
        assertThatThrownBy(() -> poller.update(pipe.readEnd(), EpollPoller.WAKE_TOKEN, 0, Poller.READABLE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
    }

    @Test
    void releasingAnFdClosedElsewhereIsQuiet() throws IOException {
        EpollPoller poller = poller(EpollPoller.Options.DEFAULT);
        EpollTestPipe pipe = pipe();
        poller.update(pipe.readEnd(), 1, 0, Poller.READABLE);
        pipe.closeReadEnd(); // closing the fd removed it from the epoll set already
        poller.release(pipe.readEnd(), Poller.READABLE);
        assertThat(poller.quietDeletes).isEqualTo(1);
    }

    @Test
    void errnoNamesAndTextsAreTheCLocaleOnes() {
        assertThat(Errno.exception("epoll_ctl(MOD, fd=3)", Errno.ENOENT))
                .hasMessage("epoll_ctl(MOD, fd=3): ENOENT (No such file or directory)");
        assertThat(Errno.name(Errno.EAGAIN)).isEqualTo("EAGAIN");
        assertThat(Errno.name(104)).isEqualTo("ECONNRESET");
        assertThat(Errno.text(104)).isEqualTo("Connection reset by peer");
        assertThat(Errno.exception("x()", 999)).hasMessage("x(): errno 999 (unknown error)");
    }

    // ------------------------------------------------------------------ wake-ups

    @Test
    void manyWakeupsBeforeAPollWriteTheEventfdOnceAndEndOnePoll() throws Exception {
        EpollPoller poller = poller(EpollPoller.Options.DEFAULT);
        EpollTestPipe pipe = pipe();
        poller.update(pipe.readEnd(), 1, 0, Poller.READABLE);
        Thread[] wakers = new Thread[4];
        for (int i = 0; i < wakers.length; i++) {
            wakers[i] = Thread.ofPlatform().start(() -> {
                for (int j = 0; j < 25; j++) {
                    poller.wakeup();
                }
            });
        }
        for (Thread waker : wakers) {
            waker.join();
        }
        assertThat(eventFdCount(poller)).as("eventfd writes for 100 wakeup() calls").isEqualTo(1);

        poller.poll(-1, ready); // returns at once: the wake-up is pending
        assertThat(ready.size()).as("the wake-up is not reported").isZero();
        assertThat(poller.wakeupsSeen).as("one wake-up event").isEqualTo(1);

        long start = System.nanoTime();
        poller.poll(TimeUnit.MILLISECONDS.toNanos(30), ready);
        assertThat(System.nanoTime() - start).as("the next poll blocks for its timeout again")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(29));
        assertThat(ready.size()).isZero();

        poller.wakeup();
        assertThat(eventFdCount(poller)).as("a wake-up after the poll writes again").isEqualTo(2);
        poller.poll(-1, ready);
        assertThat(ready.size()).isZero();
        assertThat(eventFdCount(poller)).as("the polls never read the eventfd: one per write").isEqualTo(2);
    }

    @Test
    void aWakeupAfterCloseIsIgnored() throws IOException {
        EpollPoller poller = EpollPoller.open(EpollPoller.Options.DEFAULT);
        poller.wakeup(); // pending at close: close lets it land, then closes the eventfd
        assertThat(eventFdCount(poller)).isEqualTo(1);
        poller.close();
        poller.wakeup(); // a write to the closed eventfd would throw (EBADF)
        assertThat(poller.nativeMemoryFreed()).isTrue();
    }

    @Test
    void closeFreesTheFdsAndTheNativeMemory() throws IOException {
        long before = TestNative.openFds();
        EpollPoller poller = EpollPoller.open(EpollPoller.Options.DEFAULT);
        poller.poll(0, ready);
        assertThat(TestNative.openFds()).as("epoll fd and eventfd").isEqualTo(before + 2);
        poller.close();
        assertThat(TestNative.openFds()).isEqualTo(before);
        assertThat(poller.nativeMemoryFreed()).isTrue();
        poller.close(); // idempotent
    }

    /**
     * The wake-up eventfd's counter, left as it is: the kernel's {@code eventfd-count} in
     * /proc/self/fdinfo (hex). The poller never reads the counter, so it counts the writes.
     */
    private static long eventFdCount(EpollPoller poller) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + poller.wakeFd()))) {
            if (line.startsWith("eventfd-count:")) {
                return Long.parseLong(line.substring("eventfd-count:".length()).trim(), 16);
            }
        }
        throw new AssertionError("no eventfd-count in the fdinfo of fd " + poller.wakeFd());
    }

    // ------------------------------------------------------------------ signals

    @Test
    void aWaitEndedBySignalIsRetriedAndThePollerGoesOn() throws Exception {
        EpollPoller poller = poller(EpollPoller.Options.DEFAULT);
        EpollTestPipe pipe = pipe();
        poller.update(pipe.readEnd(), 7, 0, Poller.READABLE);
        try (AutoCloseable _ = TestNative.installHarmlessHandler(TestNative.SIGUSR1)) {
            PollThread waiter = new PollThread(poller);
            waiter.awaitBlockedInEpoll();
            TestNative.tgkill(waiter.tid, TestNative.SIGUSR1);
            awaitInterruptedWaits(poller, 1);
            assertThat(waiter.isAlive()).as("the poll went on waiting after EINTR").isTrue();
            pipe.writeByte();
            waiter.join();
            assertThat(waiter.events).containsExactly("7:" + Poller.READABLE);
            assertThat(waiter.failure).isNull();
        }
    }

    @Test
    void aTimedWaitEndedBySignalWaitsOnlyForTheTimeThatIsLeft() throws Exception {
        EpollPoller poller = poller(EpollPoller.Options.DEFAULT);
        long timeout = TimeUnit.MILLISECONDS.toNanos(300);
        try (AutoCloseable _ = TestNative.installHarmlessHandler(TestNative.SIGUSR1)) {
            long[] elapsed = new long[1];
            PollThread waiter = new PollThread(poller, timeout, elapsed);
            waiter.awaitBlockedInEpoll();
            TestNative.tgkill(waiter.tid, TestNative.SIGUSR1);
            waiter.join();
            assertThat(poller.interruptedWaits).isEqualTo(1);
            assertThat(waiter.failure).isNull();
            assertThat(waiter.events).isEmpty();
            assertThat(elapsed[0]).as("EINTR did not end the wait early").isGreaterThanOrEqualTo(timeout);
        }
    }

    @Test
    void withBlockSigprofAProfilerSignalWaitsUntilThePollReturns() throws Exception {
        EpollPoller poller = poller(new EpollPoller.Options(true, true));
        EpollTestPipe pipe = pipe();
        poller.update(pipe.readEnd(), 7, 0, Poller.READABLE);
        try (AutoCloseable _ = TestNative.installHarmlessHandler(TestNative.SIGPROF);
                AutoCloseable _ = TestNative.installHarmlessHandler(TestNative.SIGUSR1)) {
            PollThread waiter = new PollThread(poller);
            waiter.awaitBlockedInEpoll();
            TestNative.tgkill(waiter.tid, TestNative.SIGPROF);
            long sigprofBit = 1L << (TestNative.SIGPROF - 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((TestNative.pendingSignals(waiter.tid) & sigprofBit) == 0) {
                assertThat(System.nanoTime() - deadline).as("SIGPROF pending while the thread waits").isNegative();
                Thread.sleep(1);
            }
            assertThat(TestNative.waitsInEpoll(waiter.tid)).isTrue();
            assertThat(poller.interruptedWaits).isZero();
            pipe.writeByte();
            waiter.join();
            assertThat(waiter.events).containsExactly("7:" + Poller.READABLE);
            assertThat(poller.interruptedWaits).as("SIGPROF never ended the wait").isZero();
        }
    }

    private static void awaitInterruptedWaits(EpollPoller poller, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (poller.interruptedWaits < count) {
            assertThat(System.nanoTime() - deadline).as("the poller saw EINTR").isNegative();
            Thread.sleep(1);
        }
    }

    /** A platform thread that polls once without bound and records what it got. */
    private static final class PollThread extends Thread {
        private final EpollPoller poller;
        private final ReadyEvents batch = new ReadyEvents(4);
        private final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        volatile int tid;
        final List<String> events = new ArrayList<>();
        volatile Throwable failure;

        private final long timeoutNanos;
        private final long[] elapsed;

        PollThread(EpollPoller poller) {
            this(poller, -1, new long[1]);
        }

        PollThread(EpollPoller poller, long timeoutNanos, long[] elapsed) {
            this.poller = poller;
            this.timeoutNanos = timeoutNanos;
            this.elapsed = elapsed;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            tid = TestNative.gettid();
            started.countDown();
            try {
                long start = System.nanoTime();
                poller.poll(timeoutNanos, batch);
                elapsed[0] = System.nanoTime() - start;
                for (int i = 0; i < batch.size(); i++) {
                    events.add(batch.token(i) + ":" + batch.readyOps(i));
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        void awaitBlockedInEpoll() throws InterruptedException {
            started.await();
            TestNative.awaitBlockedInEpoll(tid);
        }
    }

    // ------------------------------------------------------------------ allocation

    @Test
    void aPollWithEventsAllocatesNothingOnTheHeapOnceWarm() throws IOException {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        EpollPoller poller = poller(EpollPoller.Options.DEFAULT);
        EpollTestPipe a = pipe();
        EpollTestPipe b = pipe();
        poller.update(a.readEnd(), 1, 0, Poller.READABLE);
        poller.update(b.writeEnd(), 2, 0, Poller.WRITABLE);
        a.writeByte();
        // Warm up until C2 has compiled the poll path (a few rounds on a busy machine), then expect
        // a round of 10,000 polls that allocates (next to) nothing; a poll that allocates never gets there.
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 20 && best >= 1; round++) {
            for (int i = 0; i < 20_000; i++) {
                ready.clear();
                poller.poll(0, ready);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                ready.clear();
                poller.poll(0, ready);
            }
            best = Math.min(best, (threads.getCurrentThreadAllocatedBytes() - before) / 10_000.0);
        }
        assertThat(ready.size()).isEqualTo(2);
        assertThat(best).as("heap bytes per poll of 2 events, best round").isLessThan(1);
    }
}
