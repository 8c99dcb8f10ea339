package io.weft.loop.core;

/**
 * Called on the loop thread when a {@link Watcher}'s source is ready.
 *
 * <p>{@code ready} holds only the interests the watcher still wants at dispatch time; errors and
 * hang-ups are reported as both readable and writable (the next read or write tells which).
 */
@FunctionalInterface
public interface WatcherHandler {

    /**
     * The source of {@code watcher} is ready for {@code ready}.
     *
     * @param watcher the watcher whose source is ready
     * @param ready what it is ready for: readable, writable or both
     */
    void onReady(Watcher watcher, Interest ready);

    /**
     * The loop is closing (by {@link EventLoop#close()} or a graceful shutdown) while this watcher
     * is open: release what the watcher stands for, such as closing its channel. The loop closes
     * the watcher right after. Does nothing by default.
     *
     * @param watcher the watcher the loop is about to close
     */
    default void onLoopClosing(Watcher watcher) {
    }
}
