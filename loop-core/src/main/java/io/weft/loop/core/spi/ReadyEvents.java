package io.weft.loop.core.spi;

import java.util.Arrays;

/**
 * The batch of readiness events one {@link Poller#poll} returns: pairs of (token, ready ops).
 *
 * <p>Owned and reused by the loop thread; a poller appends to it, the loop reads and clears it. It
 * grows when a poll returns more events than ever before and never allocates otherwise.
 */
public final class ReadyEvents {
    private long[] tokens;
    private int[] ops;
    private int size;

    /**
     * Creates a batch with room for {@code capacity} events before it grows.
     *
     * @param capacity the initial room, in events
     */
    public ReadyEvents(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        tokens = new long[capacity];
        ops = new int[capacity];
    }

    /**
     * Appends one event: the token the source was registered with and the ops that are ready.
     *
     * @param token the source's token
     * @param readyOps the ready ops ({@link Poller#READABLE}, {@link Poller#WRITABLE})
     */
    public void add(long token, int readyOps) {
        if (size == tokens.length) {
            tokens = Arrays.copyOf(tokens, size * 2);
            ops = Arrays.copyOf(ops, size * 2);
        }
        tokens[size] = token;
        ops[size] = readyOps;
        size++;
    }

    /** {@return how many events the batch holds} */
    public int size() {
        return size;
    }

    /** {@return how many events fit before the batch grows (a poller may size its native buffer to it)} */
    public int capacity() {
        return tokens.length;
    }

    /**
     * {@return the token of event {@code i}}
     *
     * @param i the event's index, from 0 to {@link #size()} - 1
     */
    public long token(int i) {
        return tokens[i];
    }

    /**
     * {@return the ready ops ({@link Poller#READABLE}, {@link Poller#WRITABLE}) of event {@code i}}
     *
     * @param i the event's index, from 0 to {@link #size()} - 1
     */
    public int readyOps(int i) {
        return ops[i];
    }

    /** Empties the batch, keeping its capacity. */
    public void clear() {
        size = 0;
    }
}
