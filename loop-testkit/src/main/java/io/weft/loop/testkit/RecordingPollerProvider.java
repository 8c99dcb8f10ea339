package io.weft.loop.testkit;

import io.weft.loop.core.spi.PollSource;
import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.core.spi.ReadyEvents;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a real provider and records what the loop asks of its poller: the timeouts, the interest
 * updates, the wake-ups. With {@code neverBlock} it passes 0 to the real poller, so tests of the
 * timeout rules with a manual clock do not sleep; {@link #sleepingOn} makes such a poll move a manual
 * clock by its timeout, as if it had slept it out, and {@link #idlingOn} by a step the test sets, so
 * a loop's busy and idle time are exactly what the test scripts.
 *
 * <p>The recorded lists and counters are thread-safe: the loop thread writes them, the test reads them.
 */
public final class RecordingPollerProvider implements PollerProvider {
    private final PollerProvider delegate;
    private final boolean neverBlock;
    /** The timeout of every poll, in nanoseconds, in order (-1: block until an event). */
    public final List<Long> timeouts = new CopyOnWriteArrayList<>();
    /** Every interest change as {@code "armed->wanted"} and every release as {@code "release armed"}, in order. */
    public final List<String> updates = new CopyOnWriteArrayList<>();
    /** How many wake-ups the loop asked for. */
    public final AtomicInteger wakeups = new AtomicInteger();
    /** How many polls had a timeout other than 0 (polls that would have blocked). */
    public final AtomicInteger blockingPolls = new AtomicInteger();
    private volatile ManualClock sleepClock;
    private volatile boolean clockByTimeout;
    /** What each poll moves an {@link #idlingOn} clock by; zero until the test sets it. */
    public volatile Duration idleStep = Duration.ZERO;
    /** Makes every wake-up throw after waking the real poller, as a poller that failed half-way would. */
    public volatile boolean wakeupsFail;

    /**
     * Records the pollers of {@code delegate}, under its name and priority.
     *
     * @param delegate the real provider, whose pollers are recorded
     * @param neverBlock pass 0 to the real poller whatever timeout the loop asks for
     */
    public RecordingPollerProvider(PollerProvider delegate, boolean neverBlock) {
        this.delegate = delegate;
        this.neverBlock = neverBlock;
    }

    /**
     * Makes every poll with a positive timeout advance {@code clock} by that timeout; needs {@code neverBlock}.
     *
     * @param clock the test's clock
     * @return this provider
     */
    public RecordingPollerProvider sleepingOn(ManualClock clock) {
        return movingClock(clock, true, "sleepingOn");
    }

    /**
     * Makes every poll advance {@code clock} by {@link #idleStep}, whatever its timeout; needs {@code neverBlock}.
     *
     * @param clock the test's clock
     * @return this provider
     */
    public RecordingPollerProvider idlingOn(ManualClock clock) {
        return movingClock(clock, false, "idlingOn");
    }

    private RecordingPollerProvider movingClock(ManualClock clock, boolean byTimeout, String method) {
        if (!neverBlock) {
            throw new IllegalStateException(method + "(...) needs a provider that never blocks: "
                    + "new RecordingPollerProvider(delegate, true)");
        }
        this.clockByTimeout = byTimeout;
        this.sleepClock = clock;
        return this;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public int priority() {
        return delegate.priority();
    }

    @Override
    public Optional<String> unavailabilityCause() {
        return delegate.unavailabilityCause();
    }

    @Override
    public Poller newPoller() throws IOException {
        Poller real = delegate.newPoller();
        return new Poller() {
            @Override
            public void validate(PollSource source) throws IOException {
                real.validate(source);
            }

            @Override
            public void update(PollSource source, long token, int armedOps, int wantedOps) throws IOException {
                updates.add(armedOps + "->" + wantedOps);
                real.update(source, token, armedOps, wantedOps);
            }

            @Override
            public void release(PollSource source, int armedOps) throws IOException {
                updates.add("release " + armedOps);
                real.release(source, armedOps);
            }

            @Override
            public void poll(long timeoutNanos, ReadyEvents ready) throws IOException {
                timeouts.add(timeoutNanos);
                if (timeoutNanos != 0) {
                    blockingPolls.incrementAndGet();
                }
                real.poll(neverBlock ? 0 : timeoutNanos, ready);
                ManualClock clock = sleepClock;
                if (clock != null) {
                    clock.advance(clockByTimeout ? Duration.ofNanos(Math.max(timeoutNanos, 0)) : idleStep);
                }
            }

            @Override
            public void wakeup() {
                wakeups.incrementAndGet();
                real.wakeup();
                if (wakeupsFail) {
                    throw new IllegalStateException("wake-up failed (injected by the test)");
                }
            }

            @Override
            public void close() {
                real.close();
            }
        };
    }
}
