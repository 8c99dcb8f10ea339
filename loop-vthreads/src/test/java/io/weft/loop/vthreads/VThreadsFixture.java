package io.weft.loop.vthreads;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopClock;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpStats;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/** Loops that run on their own threads, virtual threads whose outcome a test can wait for, and cleanup checks. */
abstract class VThreadsFixture {

    /** The poller (and so the TCP backend) under test. */
    protected abstract String pollerName();

    private final List<LoopGroup> groups = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<EventLoop> clockedLoops = new ArrayList<>();
    private final List<Thread> clockedLoopThreads = new ArrayList<>();

    /** A running loop of its own. */
    EventLoop loop() {
        LoopGroup group = LoopGroup.builder().size(1).name("vt-test").poller(pollerName()).build();
        groups.add(group);
        return group.loops().get(0);
    }

    /**
     * A running loop on {@code clock} (a test's ManualClock), on a platform thread of its own: its
     * timers fire when the clock has moved and the loop wakes, e.g. for a task.
     */
    EventLoop loop(LoopClock clock) {
        EventLoop loop = EventLoop.builder().name("vt-clocked").clock(clock).poller(pollerName()).build();
        loop.schedule(Duration.ofDays(365), () -> { }); // keeps run() going while the loop has no handle
        clockedLoops.add(loop);
        clockedLoopThreads.add(Thread.ofPlatform().name(loop.name()).start(loop::run));
        CompletableFuture.runAsync(() -> { }, loop).join(); // running on its thread: a close now waits for it
        return loop;
    }

    /** Runs an empty task on {@code loop} and waits for it: one more iteration has run its timers. */
    static void wake(EventLoop loop) throws Exception {
        CompletableFuture.runAsync(() -> { }, loop).get(30, TimeUnit.SECONDS);
    }

    LoopGroup group(int size) {
        LoopGroup group = LoopGroup.builder().size(size).name("vt-test").poller(pollerName()).build();
        groups.add(group);
        return group;
    }

    <T extends AutoCloseable> T closeLater(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** A started virtual thread and its outcome. */
    record Spawned<T>(Thread thread, CompletableFuture<T> outcome) {
        T join() throws Exception {
            try {
                return outcome.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception x ? x : e;
            }
        }

        Throwable failure() throws Exception {
            try {
                outcome.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                return e.getCause();
            }
            throw new AssertionError("expected a failure, got " + outcome.join());
        }
    }

    static <T> Spawned<T> spawn(VirtualThreads threads, Callable<T> body) {
        CompletableFuture<T> outcome = new CompletableFuture<>();
        Thread thread = threads.start(() -> {
            try {
                outcome.complete(body.call());
            } catch (Throwable e) {
                outcome.completeExceptionally(e);
            }
        });
        return new Spawned<>(thread, outcome);
    }

    /** Waits until {@code thread} is parked (a state, not a duration: nothing is timed). */
    static void awaitParked(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (thread.getState() != Thread.State.WAITING) {
            assertThat(System.nanoTime() - deadline).as(thread + " never parked").isNegative();
            Thread.sleep(1);
        }
    }

    /** Waits until {@code condition} holds. */
    static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("never: " + what).isNegative();
            Thread.sleep(1);
        }
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        for (LoopGroup group : groups) {
            group.close();
            for (EventLoop loop : group) {
                assertClosedClean(loop);
            }
        }
        for (int i = 0; i < clockedLoops.size(); i++) {
            clockedLoops.get(i).close();
            clockedLoopThreads.get(i).join();
            assertClosedClean(clockedLoops.get(i));
        }
    }

    private static void assertClosedClean(EventLoop loop) throws InterruptedException {
        assertThat(loop.isClosed()).isTrue();
        assertThat(TcpStats.of(loop).openConnections()).as("connections left open").isZero();
        assertThat(loop.stats().liveWatchers()).as("watchers left open").isZero();
        awaitTrue(() -> ParkedThreads.of(loop).size() == 0, "no thread left parked on " + loop);
    }
}
