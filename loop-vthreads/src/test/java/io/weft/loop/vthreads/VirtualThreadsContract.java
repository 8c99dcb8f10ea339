package io.weft.loop.vthreads;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import io.weft.loop.testkit.ManualClock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Carriers, sleep, await, shutdown and fairness; run against every poller. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class VirtualThreadsContract extends VThreadsFixture {

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void sleepParksOnALoopTimerAndResumes(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        long timersBefore = loop.stats().timersFired();

        Spawned<Boolean> sleeper = spawn(threads, () -> {
            VirtualThreads.sleep(Duration.ofMillis(5));
            return Thread.currentThread().isVirtual();
        });

        assertThat(threads.carrier()).isEqualTo(carrier);
        assertThat(sleeper.join()).isTrue();
        // The loop carrier may resume the sleeper inside the timer callback, before the loop counts it.
        awaitTrue(() -> loop.stats().timersFired() > timersBefore, "the loop counts the timer");
    }

    @Test
    void aSleepLastsItsFullDurationWhenTheLoopsCachedTimeIsBehind() throws Exception {
        ManualClock clock = new ManualClock();
        EventLoop loop = loop(clock);
        VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.LOOP);
        long timersBefore = loop.stats().liveTimers();

        Spawned<Boolean> sleeper = spawn(threads, () -> {
            // Work inside one iteration takes 50 ms: the loop's cached time is now 50 ms behind.
            clock.advance(Duration.ofMillis(50));
            VirtualThreads.sleep(Duration.ofMillis(100));
            return true;
        });
        awaitTrue(() -> loop.stats().liveTimers() > timersBefore, "the sleep's timer is armed");
        clock.advance(Duration.ofMillis(99)); // 99 ms after the sleep began
        wake(loop);
        wake(loop); // an iteration that began after the advance has run the due timers

        assertThat(sleeper.outcome()).as("woke before its 100 ms").isNotDone();
        clock.advance(Duration.ofMillis(1));
        wake(loop);
        wake(loop);
        assertThat(sleeper.join()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void awaitParksUntilTheFutureCompletes(Carrier carrier) throws Exception {
        VirtualThreads threads = VirtualThreads.forLoop(loop(), carrier);
        CompletableFuture<String> value = new CompletableFuture<>();
        CompletableFuture<String> failing = new CompletableFuture<>();

        Spawned<String> waiter = spawn(threads, () -> VirtualThreads.await(value));
        Spawned<String> failer = spawn(threads, () -> VirtualThreads.await(failing));
        awaitParked(waiter.thread());
        awaitParked(failer.thread());
        value.complete("done");
        failing.completeExceptionally(new IllegalStateException("boom"));

        assertThat(waiter.join()).isEqualTo("done");
        assertThat(failer.failure()).isInstanceOf(ExecutionException.class).cause().hasMessage("boom");
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void awaitWithATimeoutThrowsTimeoutException(Carrier carrier) throws Exception {
        VirtualThreads threads = VirtualThreads.forLoop(loop(), carrier);

        Spawned<Object> waiter = spawn(threads, () -> VirtualThreads.await(new CompletableFuture<>(), Duration.ofMillis(5)));

        assertThat(waiter.failure()).isInstanceOf(TimeoutException.class);
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void interruptWakesASleeperWithInterruptedException(Carrier carrier) throws Exception {
        VirtualThreads threads = VirtualThreads.forLoop(loop(), carrier);

        Spawned<Object> sleeper = spawn(threads, () -> {
            try {
                VirtualThreads.sleep(Duration.ofHours(1));
                return "slept";
            } catch (InterruptedException e) {
                return "interrupted, status " + Thread.currentThread().isInterrupted();
            }
        });
        awaitParked(sleeper.thread());
        sleeper.thread().interrupt();

        assertThat(sleeper.join()).isEqualTo("interrupted, status false");
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void shutdownWakesEveryParkedThread(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);

        Spawned<Object> sleeper = spawn(threads, () -> {
            VirtualThreads.sleep(Duration.ofHours(1));
            return "slept";
        });
        Spawned<Object> timedAwait = spawn(threads, () -> VirtualThreads.await(new CompletableFuture<>(), Duration.ofHours(1)));
        awaitParked(sleeper.thread());
        awaitParked(timedAwait.thread());
        loop.shutdownGracefully(Duration.ZERO).get(30, TimeUnit.SECONDS);

        assertThat(sleeper.failure()).isInstanceOf(RejectedExecutionException.class).hasMessageContaining("shut down");
        // The loop that would have timed it out is gone; the await goes on as a plain wait, and
        // is still interruptible.
        timedAwait.thread().interrupt();
        assertThat(timedAwait.failure()).isInstanceOf(InterruptedException.class);
    }

    @Test
    void loopCarriedThreadsRunOnTheLoopThread() throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.LOOP);
        long runsBefore = VirtualThreads.scheduler(loop).carriedRuns();

        Spawned<String> probe = spawn(threads, () -> {
            Thread self = Thread.currentThread();
            String before = self.toString(); // a mounted virtual thread names its carrier after '@'
            VirtualThreads.sleep(Duration.ofMillis(1));
            return self.isVirtual() + " " + VirtualThreads.isLoopCarried() + " " + before + " " + self;
        });

        String result = probe.join();
        String loopThread = loop.thread().getName();
        assertThat(result).startsWith("true true ")
                .contains("/runnable@" + loopThread + " ")
                .endsWith("/runnable@" + loopThread);
        assertThat(VirtualThreads.scheduler(loop).carriedRuns()).isGreaterThanOrEqualTo(runsBefore + 2);
    }

    @Test
    void aLoopCarriedThreadResumesInsideTheCallbackThatWakesIt() throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.LOOP);

        Spawned<long[]> sleeper = spawn(threads, () -> {
            long before = loop.stats().timersFired(); // read on the loop thread: no race with its writer
            long iterations = loop.stats().iterations();
            VirtualThreads.sleep(Duration.ofMillis(1));
            // The loop counts the fired timers when its timers phase ends: still the old count
            // here means this thread runs inside the timer callback, not an iteration later.
            return new long[] {loop.stats().timersFired() - before, loop.stats().iterations() - iterations};
        });

        long[] seen = sleeper.join();
        assertThat(seen[0]).as("timers counted before the sleeper resumed").isZero();
        assertThat(seen[1]).as("iterations while sleeping").isPositive();
    }

    @Test
    void poolCarriedThreadsRunOffTheLoop() throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.POOL);

        Spawned<String> probe = spawn(threads, () -> VirtualThreads.isLoopCarried() + " " + Thread.currentThread());

        assertThat(probe.join()).startsWith("false ").doesNotContain("@" + loop.thread().getName());
        assertThat(VirtualThreads.currentLoop()).isEmpty();
    }

    @Test
    void aYieldingLoopCarriedThreadTakesTurnsWithIo() throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.LOOP);
        TcpServer echo = closeLater(TcpServer.listen(loop, loopback(), TcpOptions.defaults(), () -> new ConnectionHandler() {
            @Override
            public void onRead(TcpConnection connection, ByteBuffer data) {
                connection.write(data);
            }
        }));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong spins = new AtomicLong();
        Spawned<Long> spinner = spawn(threads, () -> {
            while (!stop.get()) {
                spins.incrementAndGet();
                Thread.yield(); // never parks: only the loop's turn-taking lets I/O in
            }
            return spins.get();
        });
        awaitTrue(() -> spins.get() > 100, "the spinner runs");

        long iterationsBefore = loop.stats().iterations();
        long spinsBefore = spins.get();
        try (Socket client = new Socket(((InetSocketAddress) echo.localAddress()).getAddress(), ((InetSocketAddress) echo.localAddress()).getPort())) {
            client.setSoTimeout(30_000);
            DataOutputStream out = new DataOutputStream(client.getOutputStream());
            DataInputStream in = new DataInputStream(client.getInputStream());
            for (int i = 0; i < 200; i++) {
                out.writeInt(i);
                assertThat(in.readInt()).isEqualTo(i);
            }
        }
        long spinsDuring = spins.get() - spinsBefore;
        long iterationsDuring = loop.stats().iterations() - iterationsBefore;
        stop.set(true);

        assertThat(spinner.join()).isPositive();
        assertThat(spinsDuring).as("the spinner kept running while I/O was served").isPositive();
        // Each yield re-queues the continuation as a callback of the next iteration: at most one
        // turn per iteration, so timers and I/O get every other turn.
        assertThat(spinsDuring).isLessThanOrEqualTo(iterationsDuring + 2);
    }

    @Test
    void sleepOnTheLoopThreadItselfFailsFast() throws Exception {
        EventLoop loop = loop();
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                VirtualThreads.sleep(loop, Duration.ofMillis(1));
                seen.complete(null);
            } catch (Throwable e) {
                seen.complete(e);
            }
        });

        assertThat(seen.get(30, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("would block the thread of loop");
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void aLoopCarriedThreadCountsAsTheLoopThreadWhileItRuns(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);

        Spawned<Boolean> thread = spawn(threads, () -> {
            boolean before = loop.inLoop();
            if (before) {
                loop.now(); // loop-thread-only API, directly
            }
            VirtualThreads.sleep(Duration.ofMillis(1)); // parks: the loop runs others meanwhile
            if (loop.inLoop() != before) {
                throw new AssertionError("inLoop changed across a park");
            }
            return before;
        });

        assertThat(thread.join()).isEqualTo(carrier == Carrier.LOOP);
        assertThat(loop.inLoop()).as("not on the test thread").isFalse();
    }

    @Test
    void aPlainVirtualThreadStartedByALoopCarriedThreadIsAnOrdinaryVirtualThread() throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.LOOP);

        Spawned<String> parent = spawn(threads, () -> {
            // Inherits the parent's scheduler, which hands it to the JDK's default scheduler.
            CompletableFuture<String> child = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    VirtualThreads.sleep(loop, Duration.ofMillis(1)); // a thread of no loop: the hand-off path
                    child.complete("inLoop=" + loop.inLoop() + ", loopCarried=" + VirtualThreads.isLoopCarried()
                            + ", loop=" + VirtualThreads.currentLoop().isPresent());
                } catch (Throwable e) {
                    child.completeExceptionally(e);
                }
            });
            String outcome = VirtualThreads.await(child, Duration.ofSeconds(30));
            return outcome + ", parent inLoop=" + loop.inLoop();
        });

        assertThat(parent.join()).isEqualTo("inLoop=false, loopCarried=false, loop=false, parent inLoop=true");
    }

    @Test
    void aChildOfALoopCarriedThreadNeverRunsOnTheLoopThread() throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.LOOP);
        AtomicBoolean released = new AtomicBoolean();

        Spawned<Boolean> parent = spawn(threads, () -> {
            // CPU-bound: on the loop thread it would hold the loop, and the callback that releases it would never run.
            Thread child = Thread.ofVirtual().start(() -> {
                while (!released.get()) {
                    Thread.onSpinWait();
                }
            });
            loop.execute(() -> released.set(true));
            child.join();
            return VirtualThreads.isLoopCarried();
        });

        try {
            assertThat(parent.join()).isTrue();
        } finally {
            released.set(true); // a child stuck on the loop thread lets it go, so the loop can close
        }
    }

    @Test
    void aHundredChildrenOfALoopCarriedThreadSleepAndAreJoined() throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, Carrier.LOOP);

        Spawned<Integer> parent = spawn(threads, () -> {
            AtomicLong done = new AtomicLong();
            java.util.List<Thread> children = new java.util.ArrayList<>();
            for (int i = 0; i < 100; i++) {
                children.add(Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(1); // the JDK's timer
                        VirtualThreads.sleep(loop, Duration.ofMillis(1)); // the loop's timer
                        if (!loop.inLoop() && !VirtualThreads.isLoopCarried()) {
                            done.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            for (Thread child : children) {
                child.join();
            }
            return (int) done.get();
        });

        assertThat(parent.join()).isEqualTo(100);
    }

    @Test
    void aGroupSpreadsThreadsOverItsLoops() throws Exception {
        VirtualThreads threads = VirtualThreads.forGroup(group(2), Carrier.LOOP);

        Spawned<EventLoop> first = spawn(threads, () -> VirtualThreads.currentLoop().orElseThrow());
        Spawned<EventLoop> second = spawn(threads, () -> VirtualThreads.currentLoop().orElseThrow());

        assertThat(first.join()).isNotSameAs(second.join());
        assertThat(threads.loops()).containsExactlyInAnyOrder(first.join(), second.join());
    }
}
