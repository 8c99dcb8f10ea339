package io.weft.loop.iouring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.spi.PollSource;
import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.ReadyEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the io_uring poller does beyond the contract: ring limits, request replacement, fds, allocation. */
class IoUringPollerBehaviourTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ReadyEvents ready = new ReadyEvents(8);
    private long fdsBefore;
    private IoUringPoller poller;

    @BeforeAll
    static void openTheJdksOwnFdsFirst() throws IOException {
        // java.nio's first Pipe opens fds the JDK keeps for the process; count them in fdsBefore.
        Pipe pipe = Pipe.open();
        pipe.source().close();
        pipe.sink().close();
    }

    @BeforeEach
    void open() throws IOException {
        fdsBefore = openFds();
        poller = IoUringPoller.open();
    }

    @AfterEach
    void nothingLeaks() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        poller.close();
        assertThat(openFds()).as("open fds after the test").isEqualTo(fdsBefore);
    }

    private IoUringTestPipe pipe() throws IOException {
        IoUringTestPipe pipe = new IoUringTestPipe();
        toClose.add(pipe);
        return pipe;
    }

    private ReadyEvents pollNow() throws IOException {
        ready.clear();
        poller.poll(0, ready);
        return ready;
    }

    @Test
    void moreRequestsThanTheSubmissionRingHoldsAreAllSubmittedAndReported() throws IOException {
        int count = 600; // the submission ring holds 256: queueing must submit when it is full
        for (int i = 0; i < count; i++) {
            IoUringTestPipe pipe = pipe();
            pipe.writeByte();
            poller.update(pipe.readEnd(), i, 0, Poller.READABLE);
        }
        ReadyEvents events = pollNow();
        assertThat(events.size()).isEqualTo(count);
        long sum = 0;
        for (int i = 0; i < events.size(); i++) {
            sum += events.token(i);
        }
        assertThat(sum).isEqualTo((long) count * (count - 1) / 2);
    }

    @Test
    void moreCompletionsThanTheCompletionRingHoldsAreAllReportedByOnePoll() throws IOException {
        poller.close();
        poller = IoUringPoller.open(8, 16); // both rings far smaller than the batch
        int count = 100;
        for (int i = 0; i < count; i++) {
            IoUringTestPipe pipe = pipe();
            pipe.writeByte();
            poller.update(pipe.readEnd(), i, 0, Poller.READABLE);
        }
        ReadyEvents events = pollNow();
        assertThat(events.size()).as("completions kept in the kernel's overflow list are reaped too").isEqualTo(count);
        assertThat(pollNow().size()).as("and each again, level-triggered").isEqualTo(count);
    }

    @Test
    void dataLeftUnreadIsReportedAgainOnEveryPollUntilDrained() throws IOException {
        IoUringTestPipe pipe = pipe();
        poller.update(pipe.readEnd(), 7, 0, Poller.READABLE);
        pipe.writeByte();
        for (int i = 0; i < 3; i++) {
            assertThat(pollNow().size()).as("poll " + i).isEqualTo(1);
            assertThat(ready.token(0)).isEqualTo(7);
        }
        pipe.drain();
        assertThat(pollNow().size()).isZero();
    }

    @Test
    void aChangeOfOpsReplacesTheRequestAndTheOldOneReportsNothing() throws IOException {
        IoUringTestPipe pipe = pipe();
        poller.update(pipe.readEnd(), 1, 0, Poller.READABLE);
        assertThat(pollNow().size()).isZero(); // the request is in the kernel now, waiting
        poller.update(pipe.readEnd(), 2, Poller.READABLE, 0);
        pipe.writeByte();
        assertThat(pollNow().size()).as("a removed request reports nothing").isZero();
        poller.update(pipe.readEnd(), 3, 0, Poller.READABLE);
        assertThat(pollNow().size()).isEqualTo(1);
        assertThat(ready.token(0)).isEqualTo(3);
    }

    @Test
    void aReleasedSourceIsLetGoAtOnceSoClosingItFreesTheFile() throws IOException {
        IoUringTestPipe pipe = pipe();
        poller.update(pipe.writeEnd(), 1, 0, Poller.READABLE);
        assertThat(pollNow().size()).isZero(); // a poll request, holding the write end's file, is in flight
        poller.release(pipe.writeEnd(), Poller.READABLE);
        pipe.closeWriteEnd();
        // The read end reaches end of file only when no reference to the write end's file is left:
        // the removal must have reached the kernel before the next poll.
        assertThat(pipe.readAtEnd()).isTrue();
    }

    @Test
    void aJavaNioChannelIsRefusedWithThePollersThatTakeOne() throws IOException {
        Pipe pipe = Pipe.open();
        toClose.add(pipe.source());
        toClose.add(pipe.sink());
        pipe.source().configureBlocking(false);
        assertThatThrownBy(() -> poller.validate(PollSource.of(pipe.source())))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("-Dweft.poller=epoll or nio");
    }

    @Test
    void aClosedFdIsRefusedAtValidationNamingTheFd() throws IOException {
        IoUringTestPipe pipe = pipe();
        PollSource source = pipe.readEnd();
        pipe.close();
        assertThatThrownBy(() -> poller.validate(source)).isInstanceOf(IOException.class).hasMessageContaining("EBADF");
    }

    @Test
    void aWakeupEndsABlockedPollAndManyBeforeAPollEndOnlyThatOne() throws Exception {
        for (int i = 0; i < 5; i++) {
            poller.wakeup();
        }
        ready.clear();
        poller.poll(-1, ready); // would hang without the pending wake-up
        assertThat(ready.size()).isZero();
        Thread waker = Thread.ofPlatform().start(poller::wakeup);
        ready.clear();
        poller.poll(-1, ready);
        waker.join();
        assertThat(ready.size()).isZero();
    }

    @Test
    void aPollWithEventsAllocatesNothingOnTheHeapOnceWarm() throws IOException {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        IoUringTestPipe a = pipe();
        IoUringTestPipe b = pipe();
        poller.update(a.readEnd(), 1, 0, Poller.READABLE);
        poller.update(b.writeEnd(), 2, 0, Poller.WRITABLE);
        a.writeByte();
        // Warm up until C2 has compiled the poll path, then expect a round of 10,000 polls that
        // allocates (next to) nothing; a poll that allocates never gets there.
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 20 && best >= 1; round++) {
            for (int i = 0; i < 20_000; i++) {
                pollNow();
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                pollNow();
            }
            best = Math.min(best, (threads.getCurrentThreadAllocatedBytes() - before) / 10_000.0);
        }
        assertThat(ready.size()).isEqualTo(2);
        assertThat(best).as("heap bytes per poll of 2 events, best round").isLessThan(1);
    }

    private static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
