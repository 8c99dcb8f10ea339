package io.weft.loop.vthreads;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A waiter's timer is armed by the parking thread while another thread may finish the wait: "set
 * the timer, then look at the state" races "set the state, then look at the timer". Whatever the
 * interleaving (and store-load reordering, which x86 does), one of the two must cancel the timer;
 * a timer left armed would hold the waiter and keep the loop alive until it fires.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WaiterTimerRaceTest {
    private static final int ROUNDS = 200_000;
    private static final Duration LONG = Duration.ofHours(1);

    @Test
    void everyTimerOfAFinishedWaitIsCancelledWhenArmingRacesTheOutcome() throws Exception {
        try (LoopGroup group = LoopGroup.builder().size(1).name("waiter-race").poller("nio").build()) {
            EventLoop loop = group.loops().get(0);
            AtomicReferenceArray<Waiter> waiters = new AtomicReferenceArray<>(ROUNDS);
            Thread finisher = Thread.ofPlatform().name("finisher").start(() -> {
                for (int i = 0; i < ROUNDS; i++) {
                    Waiter waiter;
                    while ((waiter = waiters.get(i)) == null) {
                        Thread.onSpinWait();
                    }
                    waiter.complete(0L);
                }
            });
            for (int i = 0; i < ROUNDS; i++) {
                Waiter waiter = new Waiter(null, IllegalStateException::new);
                waiters.set(i, waiter); // the finisher goes while this thread arms
                VirtualThreads.arm(loop, waiter, LONG, () -> { });
            }
            finisher.join();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (loop.stats().liveTimers() != 0 && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait(); // cancels from off the loop reach it through its queue
            }
            assertThat(loop.stats().liveTimers()).as("timers of finished waits left armed").isZero();
        }
    }
}
