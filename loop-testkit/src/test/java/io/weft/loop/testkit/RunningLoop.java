package io.weft.loop.testkit;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.EventLoopBuilder;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A loop run by a platform thread of its own for a test, kept alive by a day-long timer until
 * {@link #close()} shuts it down and joins its thread.
 */
// close() joins the loop thread and may be interrupted: throwing InterruptedException is intended.
@SuppressWarnings("try")
final class RunningLoop implements AutoCloseable {
    final EventLoop loop;
    private final Thread thread;

    RunningLoop(EventLoopBuilder builder) {
        loop = builder.build();
        loop.schedule(Duration.ofDays(1), () -> { });
        thread = Thread.ofPlatform().name(loop.name()).start(loop::run);
    }

    /** Runs {@code action} on the loop thread and returns what it returns. */
    <T> T onLoop(Supplier<T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> result.complete(action.get()));
        return result.orTimeout(30, TimeUnit.SECONDS).join();
    }

    @Override
    public void close() throws InterruptedException {
        loop.shutdownGracefully(Duration.ZERO).orTimeout(30, TimeUnit.SECONDS).join();
        thread.join();
    }
}
