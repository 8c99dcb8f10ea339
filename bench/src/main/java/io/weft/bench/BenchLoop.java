package io.weft.bench;

import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.weft.loop.core.EventLoop;
import io.weft.loop.core.RunMode;
import io.weft.loop.core.Timer;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One event loop under test, Weft's or Netty's, behind the few operations the benchmarks need, so
 * that both run exactly the same benchmark code.
 *
 * <p>Implementation names, as passed in a benchmark's {@code impl} parameter:
 * <ul>
 *   <li>{@code weft-<poller>}: an {@link EventLoop} on the named poller ({@code weft-nio}, {@code
 *       weft-epoll}), run by a dedicated platform thread, kept alive by a referenced one-day timer
 *       and stopped with {@link EventLoop#stop()};
 *   <li>{@code netty-nio}, {@code netty-epoll}: the single loop of a {@code
 *       MultiThreadIoEventLoopGroup(1, NioIoHandler / EpollIoHandler.newFactory())}, a {@code
 *       SingleThreadIoEventLoop}.
 * </ul>
 *
 * <p>{@link #execute} is safe from any thread; {@link #schedule} and {@link #cancel} must be called
 * on the loop thread (both loops take their cheap, queue-free path there).
 */
public abstract sealed class BenchLoop implements AutoCloseable {

    /** Opens and starts the loop named {@code impl}; it is running when this returns. */
    public static BenchLoop open(String impl) {
        if (impl.startsWith("weft-")) {
            return new Weft(impl.substring("weft-".length()));
        }
        if (impl.equals("netty-nio")) {
            return new Netty(NioIoHandler.newFactory());
        }
        if (impl.equals("netty-epoll")) {
            return new Netty(EpollIoHandler.newFactory());
        }
        throw new IllegalArgumentException("unknown impl '" + impl + "'; use weft-nio, weft-epoll, netty-nio or netty-epoll");
    }

    /** Queues {@code task} on the loop; any thread. */
    public abstract void execute(Runnable task);

    /** Schedules a one-shot {@code task} after {@code delayNanos}; loop thread only. */
    public abstract Object schedule(long delayNanos, Runnable task);

    /** Cancels a handle returned by {@link #schedule}; loop thread only. */
    public abstract void cancel(Object timer);

    @Override
    public abstract void close();

    static final class Weft extends BenchLoop {
        private final EventLoop loop;
        private final Thread thread;

        Weft(String poller) {
            loop = EventLoop.builder().name("bench-weft-" + poller).poller(poller).build();
            loop.schedule(Duration.ofDays(1), () -> { }); // the referenced handle that keeps run() going
            thread = Thread.ofPlatform().name("bench-weft-" + poller).unstarted(() -> loop.run(RunMode.DEFAULT));
            thread.start();
            Signal started = new Signal();
            loop.execute(started);
            started.await(false);
        }

        @Override
        public void execute(Runnable task) {
            loop.execute(task);
        }

        @Override
        public Object schedule(long delayNanos, Runnable task) {
            return loop.schedule(Duration.ofNanos(delayNanos), task);
        }

        @Override
        public void cancel(Object timer) {
            ((Timer) timer).cancel();
        }

        @Override
        public void close() {
            loop.stop();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop.close();
        }
    }

    static final class Netty extends BenchLoop {
        private final MultiThreadIoEventLoopGroup group;
        private final IoEventLoop loop;

        Netty(IoHandlerFactory handler) {
            group = new MultiThreadIoEventLoopGroup(1, handler);
            loop = group.next();
            Signal started = new Signal();
            loop.execute(started);
            started.await(false);
        }

        @Override
        public void execute(Runnable task) {
            loop.execute(task);
        }

        @Override
        public Object schedule(long delayNanos, Runnable task) {
            return loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void cancel(Object timer) {
            ((Future<?>) timer).cancel(false);
        }

        @Override
        public void close() {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
