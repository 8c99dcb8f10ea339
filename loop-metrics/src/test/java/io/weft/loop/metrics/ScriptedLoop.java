package io.weft.loop.metrics;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopClock;
import io.weft.loop.core.spi.PollSource;
import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.core.spi.ReadyEvents;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A loop on a manual clock whose poller never blocks and moves the clock by {@link
 * #idleStep} per poll, so busy and idle time are exactly what a test scripts: busy is what tasks
 * advance, idle is {@code idleStep} per iteration.
 */
final class ScriptedLoop implements PollerProvider {
    final Clock clock = new Clock();
    private final PollerProvider real = ServiceLoader.load(PollerProvider.class).stream().map(ServiceLoader.Provider::get)
            .filter(p -> p.name().equals("nio")).findFirst().orElseThrow();
    volatile Duration idleStep = Duration.ZERO;

    static ScriptedLoop create() {
        return new ScriptedLoop();
    }

    EventLoop build(String name) {
        return EventLoop.builder().name(name).clock(clock).poller(this)
                .exceptionHandler((loop, task, error) -> { }).build();
    }

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Optional<String> unavailabilityCause() {
        return Optional.empty();
    }

    @Override
    public Poller newPoller() throws IOException {
        Poller poller = real.newPoller();
        return new Poller() {
            @Override
            public void validate(PollSource source) throws IOException {
                poller.validate(source);
            }

            @Override
            public void update(PollSource source, long token, int armedOps, int wantedOps) throws IOException {
                poller.update(source, token, armedOps, wantedOps);
            }

            @Override
            public void release(PollSource source, int armedOps) throws IOException {
                poller.release(source, armedOps);
            }

            @Override
            public void poll(long timeoutNanos, ReadyEvents ready) throws IOException {
                clock.advance(idleStep);
                poller.poll(0, ready);
            }

            @Override
            public void wakeup() {
                poller.wakeup();
            }

            @Override
            public void close() {
                poller.close();
            }
        };
    }

    /** Waits for a condition another thread makes true; fails after 10 s instead of hanging. */
    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /**
     * loop-core's test kit has a ManualClock, but its test-jar splits the package io.weft.loop.core,
     * which javac refuses to a test patched into this named module; this is the same few lines.
     */
    static final class Clock implements LoopClock {
        private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        @Override
        public long nanoTime() {
            return nanos.get();
        }

        void advance(Duration step) {
            nanos.addAndGet(step.toNanos());
        }
    }
}
