package io.weft.loop.core.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Process-level signal hooks: real signals sent to this JVM with {@code kill}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SignalHookTest {

    private static void kill(Signal signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal.name(), Long.toString(ProcessHandle.current().pid()))
                .inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s", signal.name()).isZero();
    }

    @Test
    void aHookRunsOnEachArrivalWhileTheLoopWithAHandleOfTheSameSignalIsStuck() throws Exception {
        Semaphore arrivals = new Semaphore(0);
        CountDownLatch unstick = new CountDownLatch(1);
        CountDownLatch stuck = new CountDownLatch(1);
        try (EventLoop loop = EventLoop.builder().name("stuck").build()) {
            SignalHandle handle = SignalHandle.open(loop, Signal.USR1, (h, count) -> { });
            Thread runner = Thread.ofPlatform().start(loop::run);
            loop.execute(() -> {
                stuck.countDown();
                awaitQuietly(unstick); // a callback that never returns: the loop is stuck
            });
            stuck.await();
            try (SignalHook hook = SignalHook.install(Signal.USR1, arrivals::release)) {
                kill(Signal.USR1);
                assertThat(arrivals.tryAcquire(30, TimeUnit.SECONDS)).as("first arrival").isTrue();
                kill(Signal.USR1);
                assertThat(arrivals.tryAcquire(30, TimeUnit.SECONDS)).as("second arrival").isTrue();
                assertThat(hook.signal()).isEqualTo(Signal.USR1);
                assertThat(handle.received()).as("the stuck loop got none").isZero();
            }
            handle.close();
            assertThat(SignalDispatch.of(Signal.USR1).installed()).as("last one out restores").isFalse();
            unstick.countDown();
            loop.stop();
            runner.join();
        }
    }

    @Test
    void aHookAloneKeepsTheHandlerInstalledUntilItCloses() {
        SignalHook hook = SignalHook.install(Signal.USR1, () -> { });
        assertThat(SignalDispatch.of(Signal.USR1).installed()).isTrue();
        assertThat(hook.isOpen()).isTrue();
        hook.close();
        hook.close();
        assertThat(hook.isOpen()).isFalse();
        assertThat(SignalDispatch.of(Signal.USR1).installed()).isFalse();
        assertThatThrownBy(() -> SignalHook.install(Signal.USR1, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aHookThatThrowsLeavesTheOtherHooksRunning() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        SignalHook failing = SignalHook.install(Signal.USR1, () -> {
            throw new IllegalStateException("thrown on purpose by SignalHookTest");
        });
        SignalHook counting = SignalHook.install(Signal.USR1, ran::countDown);
        try {
            kill(Signal.USR1);
            assertThat(ran.await(30, TimeUnit.SECONDS)).as("the hook after the failing one ran").isTrue();
        } finally {
            failing.close();
            counting.close();
        }
        assertThat(SignalDispatch.of(Signal.USR1).installed()).isFalse();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
