package io.weft.loop.core;

import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed set of {@link EventLoop}s, each run by its own platform thread until the group shuts
 * down. {@link #next()} picks loops round robin; {@code TcpServer.listen(group, ...)} spreads
 * connections over them.
 *
 * <p><b>One listener per loop needs port sharing.</b> By default a server on a group has one
 * listener, on one loop, that hands each accepted connection to the next loop, and a busy port
 * fails with a {@code BindException}. To have one listener per loop (the kernel spreads the
 * connections, no hand-off) ask for port sharing with {@code TcpOptions.withReusePort(true)}: the
 * group's listeners then bind the port with {@code SO_REUSEPORT}, and so may any other server of the
 * same user that asks for it too.
 *
 * <p>Loops of a group stay alive with nothing to do (they wait for work in their poller) until
 * {@link #shutdownGracefully} or {@link #close()}. All methods are safe from any thread.
 */
public final class LoopGroup implements Iterable<EventLoop>, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LoopGroup.class.getName());

    private final EventLoop[] loops;
    private final Thread[] threads;
    private final AtomicInteger next = new AtomicInteger();

    private LoopGroup(int size, String name, String poller, LoopExceptionHandler handler, TaskDecorator decorator) {
        loops = new EventLoop[size];
        threads = new Thread[size];
        for (int i = 0; i < size; i++) {
            EventLoopBuilder builder = EventLoop.builder().name(name + "-" + i);
            if (poller != null) {
                builder.poller(poller);
            }
            if (handler != null) {
                builder.exceptionHandler(handler);
            }
            if (decorator != null) {
                builder.taskDecorator(decorator);
            }
            EventLoop loop = builder.build();
            loops[i] = loop;
            threads[i] = Thread.ofPlatform().name(loop.name()).unstarted(() -> runLoop(loop));
        }
        CountDownLatch running = new CountDownLatch(size);
        for (int i = 0; i < size; i++) {
            loops[i].execute(running::countDown);
            threads[i].start();
        }
        // Until its thread runs it, a loop could be shut down inline by another thread, and its own
        // thread would then find it closed: return only once every loop runs on its thread.
        try {
            running.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the loops of group '" + name + "' started", e);
        }
    }

    private static void runLoop(EventLoop loop) {
        loop.hold();
        try {
            loop.run(RunMode.DEFAULT);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "loop '" + loop.name() + "' died", t);
            throw t;
        } finally {
            if (!loop.isClosed()) {
                loop.shutdownGracefully(Duration.ZERO);
            }
        }
    }

    /** {@return a group of one loop per available processor, on the best available poller} */
    public static LoopGroup create() {
        return builder().build();
    }

    /** {@return a builder for a group with a size, name, poller or exception handler of your choice} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the next loop, round robin} */
    public EventLoop next() {
        return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
    }

    /** {@return the loops, in a fixed order} */
    public List<EventLoop> loops() {
        return List.of(loops);
    }

    /** {@return how many loops there are} */
    public int size() {
        return loops.length;
    }

    @Override
    public Iterator<EventLoop> iterator() {
        return loops().iterator();
    }

    /**
     * Shuts every loop down gracefully (see {@link EventLoop#shutdownGracefully}); the future
     * completes when all have closed.
     *
     * @param timeout the bound of each loop's shutdown, as in {@link EventLoop#shutdownGracefully}
     * @return completed when every loop has closed
     */
    public CompletableFuture<Void> shutdownGracefully(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return CompletableFuture.allOf(Arrays.stream(loops)
                .map(loop -> loop.shutdownGracefully(timeout))
                .toArray(CompletableFuture[]::new));
    }

    /** Shuts down with no grace period and waits for the loop threads to end. */
    @Override
    public void close() {
        shutdownGracefully(Duration.ZERO).join();
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Builds a {@link LoopGroup}. Not thread-safe. */
    public static final class Builder {
        private int size = Runtime.getRuntime().availableProcessors();
        private String name = "weft";
        private String poller;
        private LoopExceptionHandler handler;
        private TaskDecorator decorator;

        private Builder() {
        }

        /**
         * How many loops (default: available processors).
         *
         * @param loops the number of loops, at least 1
         * @return this builder
         */
        public Builder size(int loops) {
            if (loops < 1) {
                throw new IllegalArgumentException("a group needs at least one loop, got " + loops);
            }
            this.size = loops;
            return this;
        }

        /**
         * The name prefix of loops and threads (default {@code weft}: {@code weft-0}, {@code weft-1}...).
         *
         * @param prefix the prefix; loop {@code i} is named {@code prefix-i}
         * @return this builder
         */
        public Builder name(String prefix) {
            this.name = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * The poller by name (default: {@code -Dweft.poller}, else the best available).
         *
         * @param pollerName the provider's {@link io.weft.loop.core.spi.PollerProvider#name()}
         * @return this builder
         */
        public Builder poller(String pollerName) {
            this.poller = Objects.requireNonNull(pollerName, "pollerName");
            return this;
        }

        /**
         * The exception handler of every loop (default: logged).
         *
         * @param exceptionHandler called on each loop's thread with that loop's exceptions
         * @return this builder
         */
        public Builder exceptionHandler(LoopExceptionHandler exceptionHandler) {
            this.handler = Objects.requireNonNull(exceptionHandler, "exceptionHandler");
            return this;
        }

        /**
         * The task decorator of every loop of the group (default: none), as {@link
         * EventLoopBuilder#taskDecorator} sets it on one loop: applied on the submitting thread at
         * {@code execute}, {@code schedule}, {@code scheduleRepeating} and to the blocking work of
         * {@code BlockingWork}, whichever loop of the group the task goes to.
         *
         * @param taskDecorator the decorator, shared by the loops, so thread-safe
         * @return this builder
         */
        public Builder taskDecorator(TaskDecorator taskDecorator) {
            this.decorator = Objects.requireNonNull(taskDecorator, "taskDecorator");
            return this;
        }

        /**
         * Builds the group and starts its threads.
         *
         * @return the group, its loops running
         */
        public LoopGroup build() {
            return new LoopGroup(size, name, poller, handler, decorator);
        }
    }
}
