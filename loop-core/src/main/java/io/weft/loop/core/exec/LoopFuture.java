package io.weft.loop.core.exec;

import io.weft.loop.core.EventLoop;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link CompletableFuture} that belongs to an {@link EventLoop}: its {@code ...Async} stages
 * without an executor run on the loop thread, and so do theirs (every stage derived from it is a
 * {@code LoopFuture} of the same loop). {@link #completeOnLoop} brings any other stage's outcome
 * onto the loop (Tornado's {@code add_future}): its dependents run on the loop thread.
 *
 * {@snippet :
 * CompletableFuture<byte[]> download = httpClient.sendAsync(request, ofByteArray()).thenApply(HttpResponse::body);
 * LoopFuture.completeOnLoop(loop, download)
 *         .thenAccept(body -> connection.write(ByteBuffer.wrap(body))); // on the loop thread
 * }
 *
 * <p>A non-async dependent runs where the future completes, as with any {@code
 * CompletableFuture}: on the loop thread for futures completed by {@link #completeOnLoop} or by
 * {@link BlockingWork}, or on the thread that adds it if the future is already done. Unlike a
 * plain {@code CompletableFuture}, a thread blocked in {@link #get()} or {@link #join()} never
 * runs them. Thread-safe.
 *
 * @param <T> the type of the future's value
 */
public final class LoopFuture<T> extends CompletableFuture<T> {
    private final EventLoop loop;

    private LoopFuture(EventLoop loop) {
        this.loop = loop;
    }

    /**
     * {@return a new incomplete future of {@code loop}}
     *
     * @param <T> the type of the future's value
     * @param loop the loop whose thread runs its async stages
     */
    public static <T> LoopFuture<T> create(EventLoop loop) {
        return new LoopFuture<>(Objects.requireNonNull(loop, "loop"));
    }

    /**
     * {@return a future of {@code loop} completed on the loop thread, with {@code stage}'s value or
     * exception, once {@code stage} completes (on whatever thread)} If the loop has shut down by
     * then, the future fails with a {@link RejectedExecutionException} that says so, the stage's
     * own exception suppressed in it, on the thread that completed the stage.
     *
     * @param <T> the type of the future's value
     * @param loop the loop to complete on
     * @param stage the stage whose outcome is brought onto the loop
     */
    public static <T> LoopFuture<T> completeOnLoop(EventLoop loop, CompletionStage<? extends T> stage) {
        Objects.requireNonNull(stage, "stage");
        LoopFuture<T> future = create(loop);
        stage.whenComplete(future::completeOnLoop);
        return future;
    }

    /**
     * Completes this future on its loop thread with {@code value}, or with {@code error} if that
     * is not null: here if called on the loop thread, else through {@link EventLoop#execute}. If
     * the loop takes no more tasks, fails it here with a {@link RejectedExecutionException}.
     * Safe from any thread.
     *
     * @param value the value to complete with when {@code error} is null
     * @param error the exception to complete with, or null
     */
    public void completeOnLoop(T value, Throwable error) {
        if (loop.inLoop()) {
            settle(value, error);
            return;
        }
        try {
            loop.execute(() -> settle(value, error));
        } catch (RejectedExecutionException e) {
            RejectedExecutionException gone = new RejectedExecutionException("loop '" + loop.name()
                    + "' shut down before it could take the outcome" + (error == null ? "" : " (a failure, suppressed here)"), e);
            if (error != null) {
                gone.addSuppressed(error);
            }
            completeExceptionally(gone);
        }
    }

    private void settle(T value, Throwable error) {
        if (error == null) {
            complete(value);
        } else {
            completeExceptionally(error);
        }
    }

    /**
     * Waits as {@link CompletableFuture#get()} does, except that the waiting thread never runs
     * this future's dependents (a plain {@code CompletableFuture}'s waiter helps run them): they
     * stay on the thread that completes it, the loop's.
     */
    @Override
    public T get() throws InterruptedException, ExecutionException {
        return isDone() ? super.get() : waiter().get();
    }

    /** Waits as {@link CompletableFuture#get(long, TimeUnit)} does; the waiter runs no dependent (see {@link #get()}). */
    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return isDone() ? super.get() : waiter().get(timeout, unit);
    }

    /** Waits as {@link CompletableFuture#join()} does; the waiter runs no dependent (see {@link #get()}). */
    @Override
    public T join() {
        return isDone() ? super.join() : waiter().join();
    }

    /** A plain future completed with this one's outcome: waiting on it helps run nothing of ours. */
    private CompletableFuture<T> waiter() {
        CompletableFuture<T> waiter = new CompletableFuture<>();
        super.whenComplete((value, error) -> {
            if (error == null) {
                waiter.complete(value);
            } else {
                waiter.completeExceptionally(error);
            }
        });
        return waiter;
    }

    /** {@return the loop whose thread runs this future's async stages} */
    public EventLoop loop() {
        return loop;
    }

    /** The loop: the executor of async stages that name none. */
    @Override
    public Executor defaultExecutor() {
        return loop;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new LoopFuture<>(loop);
    }

    @Override
    public String toString() {
        return "LoopFuture[" + loop.name() + ", " + super.toString() + "]";
    }
}
