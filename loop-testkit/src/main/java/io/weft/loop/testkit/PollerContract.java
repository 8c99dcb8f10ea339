package io.weft.loop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.spi.PollSource;
import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.core.spi.ReadyEvents;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Poller} SPI contract, run against every backend: tokens come back unchanged,
 * interest changes take effect, released sources go quiet, and a wake-up ends a blocked poll.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class PollerContract {
    /** For a subclass, which names the poller the suite runs on. */
    protected PollerContract() {
    }


    /** {@return the poller under test} */
    protected abstract PollerProvider provider();

    /**
     * A pipe the poller under test can watch.
     *
     * @return a new pipe, which the caller closes
     * @throws IOException if the pipe cannot be opened
     */
    protected abstract TestPipe newPipe() throws IOException;

    private Poller poller;
    private final ReadyEvents ready = new ReadyEvents(4);
    private final List<TestPipe> pipes = new ArrayList<>();

    @BeforeEach
    void openPoller() throws IOException {
        assertThat(provider().isAvailable()).as("provider available").isTrue();
        poller = provider().newPoller();
    }

    @AfterEach
    void closeAll() throws IOException {
        poller.close();
        for (TestPipe pipe : pipes) {
            pipe.close();
        }
    }

    private TestPipe pipe() throws IOException {
        TestPipe pipe = newPipe();
        pipes.add(pipe);
        return pipe;
    }

    private List<String> pollNow() throws IOException {
        ready.clear();
        poller.poll(0, ready);
        List<String> events = new ArrayList<>();
        for (int i = 0; i < ready.size(); i++) {
            events.add(ready.token(i) + ":" + ready.readyOps(i));
        }
        return events;
    }

    @Test
    void theTokenComesBackWithTheReadyOps() throws IOException {
        TestPipe pipe = pipe();
        long token = (7L << 32) | 3;
        poller.validate(pipe.readEnd());
        poller.update(pipe.readEnd(), token, 0, Poller.READABLE);
        assertThat(pollNow()).isEmpty();
        pipe.writeByte();
        assertThat(pollNow()).containsExactly(token + ":" + Poller.READABLE);
        assertThat(pollNow()).as("level-triggered: still ready").containsExactly(token + ":" + Poller.READABLE);
        pipe.drain();
        assertThat(pollNow()).isEmpty();
    }

    @Test
    void aSourceArmedForNothingReportsNothing() throws IOException {
        TestPipe pipe = pipe();
        poller.update(pipe.readEnd(), 1, 0, Poller.READABLE);
        poller.update(pipe.readEnd(), 1, Poller.READABLE, 0);
        pipe.writeByte();
        assertThat(pollNow()).isEmpty();
        poller.update(pipe.readEnd(), 2, 0, Poller.READABLE);
        assertThat(pollNow()).as("re-armed with a new token").containsExactly("2:" + Poller.READABLE);
    }

    @Test
    void aReleasedSourceReportsNothingAndCanBeWatchedAgain() throws IOException {
        TestPipe pipe = pipe();
        poller.update(pipe.readEnd(), 1, 0, Poller.READABLE);
        pipe.writeByte();
        poller.release(pipe.readEnd(), Poller.READABLE);
        assertThat(pollNow()).isEmpty();
        poller.update(pipe.readEnd(), 5, 0, Poller.READABLE);
        assertThat(pollNow()).containsExactly("5:" + Poller.READABLE);
    }

    @Test
    void writableAndReadableAreReportedSeparately() throws IOException {
        TestPipe pipe = pipe();
        poller.update(pipe.writeEnd(), 9, 0, Poller.WRITABLE);
        poller.update(pipe.readEnd(), 8, 0, Poller.READABLE);
        assertThat(pollNow()).containsExactly("9:" + Poller.WRITABLE);
    }

    @Test
    void aWakeupFromAnotherThreadEndsABlockedPoll() throws Exception {
        TestPipe pipe = pipe();
        poller.update(pipe.readEnd(), 1, 0, Poller.READABLE);
        Thread polling = Thread.currentThread();
        Thread waker = Thread.ofPlatform().start(() -> {
            awaitInsidePoll(polling);
            poller.wakeup();
        });
        ready.clear();
        poller.poll(-1, ready);
        waker.join();
        assertThat(ready.size()).as("a wake-up is not an event of any source").isZero();
    }

    /**
     * Waits, for at most 10 s, until {@code polling} is inside the poller's {@code poll}: a condition
     * seen in its stack, not a duration. (How far into the wait it is, no portable API tells.)
     */
    private void awaitInsidePoll(Thread polling) {
        String pollerClass = poller.getClass().getName();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && java.util.Arrays.stream(polling.getStackTrace())
                .noneMatch(f -> f.getClassName().equals(pollerClass) && f.getMethodName().equals("poll"))) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aWakeupBeforeThePollMakesItReturnAtOnce() throws IOException {
        TestPipe pipe = pipe();
        poller.update(pipe.readEnd(), 1, 0, Poller.READABLE);
        poller.wakeup();
        ready.clear();
        poller.poll(-1, ready); // would hang without the pending wake-up
        assertThat(ready.size()).isZero();
    }

    @Test
    void theBatchGrowsPastItsInitialCapacity() throws IOException {
        for (int i = 0; i < 10; i++) {
            TestPipe pipe = pipe();
            poller.update(pipe.readEnd(), i, 0, Poller.READABLE);
            pipe.writeByte();
        }
        assertThat(pollNow()).hasSize(10);
    }

    @Test
    void aClosedSourceIsRefusedWithAnError() throws IOException {
        TestPipe pipe = newPipe();
        PollSource source = pipe.readEnd();
        pipe.close();
        assertThatThrownBy(() -> {
            poller.validate(source);
            poller.update(source, 1, 0, Poller.READABLE);
        }).isInstanceOfAny(IOException.class, IllegalArgumentException.class, RuntimeException.class);
    }
}
