package io.weft.loop.core.nio;

import io.weft.loop.core.spi.PollSource;
import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.ReadyEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A {@link Poller} on a {@link Selector}. The token rides as the key's attachment; events are
 * collected with {@link Selector#select(Consumer, long)}, so the selected-key set (and its iterator
 * garbage) is never used.
 *
 * <p>A blocked poll stays blocked when the polling thread is interrupted: the poll clears the
 * interrupt flag and waits on (as Netty does), instead of returning at once on every call.
 */
final class NioPoller implements Poller {
    private final Selector selector;
    private final Consumer<SelectionKey> collector = this::collect;
    private ReadyEvents sink;
    /** Set by {@link #wakeup()}: tells a select that returned empty whether it was woken or interrupted. */
    private final AtomicBoolean woken = new AtomicBoolean();

    NioPoller() throws IOException {
        selector = Selector.open();
    }

    @Override
    public void validate(PollSource source) {
        channelOf(source);
    }

    @Override
    public void update(PollSource source, long token, int armedOps, int wantedOps) throws IOException {
        SelectableChannel channel = channelOf(source);
        SelectionKey key = channel.keyFor(selector);
        if (key != null && !key.isValid()) {
            // A key cancelled by release() stays registered until the next select; flush it so the
            // channel can be registered again. Level-triggered readiness dropped here comes back.
            selector.selectNow(ignored -> { });
            key = null;
        }
        int ops = toNioOps(channel, wantedOps);
        if (key == null) {
            channel.register(selector, ops, token);
        } else {
            key.interestOps(ops);
            if ((Long) key.attachment() != token) {
                key.attach(token);
            }
        }
    }

    @Override
    public void release(PollSource source, int armedOps) {
        SelectionKey key = channelOf(source).keyFor(selector);
        if (key != null) {
            key.cancel();
        }
    }

    @Override
    public void poll(long timeoutNanos, ReadyEvents ready) throws IOException {
        sink = ready;
        try {
            if (timeoutNanos == 0) {
                selector.selectNow(collector);
                return;
            }
            long deadline = System.nanoTime() + timeoutNanos;
            // An interrupt makes select return at once, and again on every call while the flag
            // stays set: clear it and wait on, as an epoll_wait would (a wakeup() still returns).
            while (select(timeoutNanos) == 0 && !woken.getAndSet(false) && Thread.interrupted()) {
                if (timeoutNanos > 0 && (timeoutNanos = deadline - System.nanoTime()) <= 0) {
                    return;
                }
            }
        } finally {
            sink = null;
        }
    }

    private int select(long timeoutNanos) throws IOException {
        // select takes milliseconds and 0 means forever: round up, so a sub-millisecond timeout
        // neither spins nor blocks without bound.
        return timeoutNanos < 0 ? selector.select(collector)
                : selector.select(collector, Math.max(1, (timeoutNanos + 999_999) / 1_000_000));
    }

    private void collect(SelectionKey key) {
        int nio = key.readyOps();
        int ops = 0;
        if ((nio & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0) {
            ops |= READABLE;
        }
        if ((nio & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) {
            ops |= WRITABLE;
        }
        sink.add((Long) key.attachment(), ops);
    }

    @Override
    public void wakeup() {
        woken.set(true);
        selector.wakeup();
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the selector failed", e);
        }
    }

    /** Keys registered with the selector, cancelled ones included until the next select. */
    int registeredKeys() {
        return selector.keys().size();
    }

    private static SelectableChannel channelOf(PollSource source) {
        if (source instanceof PollSource.Channel(SelectableChannel channel)) {
            return channel;
        }
        throw new UnsupportedOperationException(
                "the nio poller watches java.nio channels only; to watch " + source
                        + " add loop-epoll to the class path and run with -Dweft.poller=epoll");
    }

    private static int toNioOps(SelectableChannel channel, int ops) {
        int valid = channel.validOps();
        int nio = 0;
        if ((ops & READABLE) != 0) {
            nio |= valid & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT);
        }
        if ((ops & WRITABLE) != 0) {
            // Both: OP_CONNECT fires while a connect is pending, OP_WRITE once it is connected, so
            // the interest stays right across the connect without being re-armed.
            nio |= valid & (SelectionKey.OP_CONNECT | SelectionKey.OP_WRITE);
        }
        return nio;
    }
}
