package io.weft.loop.core.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.RunMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Signal handles, run against every poller: real signals sent to this JVM with {@code kill}. A
 * backend's test extends it and names its poller. Every test closes its handles, so no handler of
 * ours is left installed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class SignalContract {

    /** The poller under test. */
    protected abstract String pollerName();

    private final List<EventLoop> loops = new ArrayList<>();

    private EventLoop newLoop(String name) {
        EventLoop loop = EventLoop.builder().name(name).poller(pollerName()).build();
        loops.add(loop);
        return loop;
    }

    @AfterEach
    void closeLoops() {
        loops.forEach(EventLoop::close);
        for (Signal signal : Signal.values()) {
            assertThat(SignalDispatch.of(signal).installed()).as("%s handler left installed", signal).isFalse();
        }
    }

    /** Sends {@code signal} to this JVM, as an operator would. */
    private static void kill(Signal signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal.name(), Long.toString(ProcessHandle.current().pid()))
                .inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s", signal.name()).isZero();
    }

    /** Runs {@code loop} on a new thread until it ends. */
    private static CompletableFuture<Void> runElsewhere(EventLoop loop) {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        Thread.ofPlatform().name(loop.name()).start(() -> {
            try {
                loop.run();
                ended.complete(null);
            } catch (Throwable t) {
                ended.completeExceptionally(t);
            }
        });
        return ended;
    }

    @Test
    void anArrivalReachesTheHandlerOnTheLoopThreadAndTheOpenHandleKeepsTheLoopRunningUntilThen() throws Exception {
        EventLoop loop = newLoop("usr2");
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicInteger counted = new AtomicInteger();
        SignalHandle handle = SignalHandle.open(loop, Signal.USR2, (h, count) -> {
            ranOn.set(Thread.currentThread());
            counted.addAndGet(count);
            h.close(); // nothing else keeps the loop running: run returns
        });
        assertThat(SignalDispatch.of(Signal.USR2).installed()).isTrue();
        Thread.ofVirtual().start(() -> {
            try {
                kill(Signal.USR2);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        loop.run(); // without the handle keeping it alive, this returns before the signal comes

        assertThat(ranOn.get()).isSameAs(Thread.currentThread());
        assertThat(counted.get()).isEqualTo(1);
        assertThat(handle.received()).isEqualTo(1);
        assertThat(handle.isLive()).isFalse();
        assertThat(SignalDispatch.of(Signal.USR2).installed()).as("the last close puts the JVM's handler back").isFalse();
    }

    @Test
    void everyHandleOnEveryLoopGetsEachArrivalAndABusyLoopGetsThemCoalescedAndCounted() throws Exception {
        EventLoop busy = newLoop("busy");
        List<Integer> busyCounts = new ArrayList<>();
        SignalHandle first = SignalHandle.open(busy, Signal.USR1, (h, count) -> busyCounts.add(count));
        SignalHandle second = SignalHandle.open(busy, Signal.USR1, (h, count) -> busyCounts.add(-count));

        EventLoop running = newLoop("running");
        Semaphore arrived = new Semaphore(0);
        SignalHandle other = SignalHandle.open(running, Signal.USR1, (h, count) -> arrived.release(count));
        CompletableFuture<Void> runningEnded = runElsewhere(running); // kept running by its handle

        for (int i = 0; i < 3; i++) {
            kill(Signal.USR1);
            // The running loop's handle was opened last: once it has an arrival, the busy loop's have it too.
            assertThat(arrived.tryAcquire(30, TimeUnit.SECONDS)).as("arrival %d on the running loop", i + 1).isTrue();
        }
        assertThat(busyCounts).as("nothing runs on a loop that does not run").isEmpty();

        busy.run(RunMode.NOWAIT);

        assertThat(busyCounts).as("one call per handle, in opening order, for three arrivals").containsExactly(3, -3);
        assertThat(first.received()).isEqualTo(3);
        assertThat(second.received()).isEqualTo(3);
        assertThat(other.received()).isEqualTo(3);
        first.close();
        second.close();
        other.close(); // from another thread: the running loop has nothing left and ends
        runningEnded.get(30, TimeUnit.SECONDS);
    }

    @Test
    void anUnreferencedHandleDoesNotKeepTheLoopAliveAndAClosedOneNeither() {
        EventLoop loop = newLoop("ref");
        SignalHandle handle = SignalHandle.open(loop, Signal.HUP, (h, count) -> { });
        assertThat(handle.isReferenced()).isTrue();
        assertThat(loop.run(RunMode.NOWAIT)).as("alive while referenced").isTrue();

        handle.unref();
        assertThat(handle.isReferenced()).isFalse();
        assertThat(loop.run(RunMode.NOWAIT)).as("not kept alive when unreferenced").isFalse();

        handle.ref();
        assertThat(loop.run(RunMode.NOWAIT)).isTrue();
        handle.close();
        handle.close(); // idempotent
        assertThat(loop.run(RunMode.NOWAIT)).as("not kept alive once closed").isFalse();
    }

    @Test
    void anArrivalWhenEveryHandlesLoopHasClosedGoesToTheHandlerThatWasThereBefore() throws Exception {
        CountDownLatch before = new CountDownLatch(1);
        Object original = JvmSignals.handle("USR1", before::countDown);
        try {
            EventLoop loop = newLoop("gone");
            SignalHandle handle = SignalHandle.open(loop, Signal.USR1, (h, count) -> { });
            loop.close(); // the handle is not closed, its loop is

            kill(Signal.USR1);

            assertThat(before.await(30, TimeUnit.SECONDS)).as("the previous handler got the signal").isTrue();
            assertThat(handle.isLive()).isFalse();
            assertThat(SignalDispatch.of(Signal.USR1).installed()).isFalse();
        } finally {
            JvmSignals.set("USR1", original);
        }
    }

    @Test
    void aShutdownSignalTheProcessIgnoresIsRefusedRatherThanNeverDelivered() throws Exception {
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder("nohup", javaCommand, "-cp", System.getProperty("java.class.path"),
                OpenHupMain.class.getName()).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor()).isZero();
        assertThat(output).contains("SIGHUP is ignored by this process (started with nohup");
    }

    @Test
    void misuseFailsFastSayingWhatToDo() {
        EventLoop loop = newLoop("misuse");
        CompletableFuture<SignalHandle> elsewhere = CompletableFuture.supplyAsync(
                () -> SignalHandle.open(loop, Signal.HUP, (h, count) -> { }));
        assertThatThrownBy(elsewhere::join).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("loop.execute(...)");

        SignalHandle handle = SignalHandle.open(loop, Signal.HUP, (h, count) -> { });
        assertThatThrownBy(() -> CompletableFuture.runAsync(handle::unref).join())
                .hasCauseInstanceOf(IllegalStateException.class);
        handle.close();

        loop.close();
        assertThatThrownBy(() -> SignalHandle.open(loop, Signal.HUP, (h, count) -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("shutting down");
    }

    @Test
    void signalsAreNamedWithOrWithoutSigAndTheReservedOnesAreRefusedWithTheReason() {
        assertThat(Signal.named("SIGHUP")).isEqualTo(Signal.HUP);
        assertThat(Signal.named("term")).isEqualTo(Signal.TERM);
        assertThat(Signal.named(" SigUsr2 ")).isEqualTo(Signal.USR2);
        assertThatThrownBy(() -> Signal.named("QUIT")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SIGQUIT").hasMessageContaining("thread dumps").hasMessageContaining("SIGUSR1");
        assertThatThrownBy(() -> Signal.named("SIGSEGV")).hasMessageContaining("SIGSEGV").hasMessageContaining("JVM");
        assertThatThrownBy(() -> Signal.named("KILL")).hasMessageContaining("SIGKILL").hasMessageContaining("no process");
        assertThatThrownBy(() -> Signal.named("SIGWINCHY")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown signal 'SIGWINCHY'").hasMessageContaining("SIGHUP, SIGINT, SIGTERM");
    }
}
