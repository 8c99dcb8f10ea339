package io.weft.loop.core;

import io.weft.loop.core.spi.Poller;

/**
 * What a {@link Watcher} waits for: {@link #READABLE}, {@link #WRITABLE} or {@link #BOTH}.
 *
 * <p>Immutable; the four values are constants, so combining them never allocates.
 */
public final class Interest {
    /** Nothing: what a stopped watcher reports. Not accepted to start a watcher. */
    public static final Interest NONE = new Interest(0);
    /** Data can be read, a connection can be accepted, or the peer closed. */
    public static final Interest READABLE = new Interest(Poller.READABLE);
    /** Data can be written, or a connect finished. */
    public static final Interest WRITABLE = new Interest(Poller.WRITABLE);
    /** Readable and writable. */
    public static final Interest BOTH = new Interest(Poller.READABLE | Poller.WRITABLE);

    private static final Interest[] BY_BITS = {NONE, READABLE, WRITABLE, BOTH};

    private final int bits;

    private Interest(int bits) {
        this.bits = bits;
    }

    static Interest ofBits(int bits) {
        return BY_BITS[bits & 3];
    }

    /** {@return the {@link Poller} bits of this interest} */
    public int bits() {
        return bits;
    }

    /** {@return whether this includes {@link #READABLE}} */
    public boolean isReadable() {
        return (bits & Poller.READABLE) != 0;
    }

    /** {@return whether this includes {@link #WRITABLE}} */
    public boolean isWritable() {
        return (bits & Poller.WRITABLE) != 0;
    }

    /** {@return whether this is {@link #NONE}} */
    public boolean isNone() {
        return bits == 0;
    }

    /**
     * {@return this interest plus {@code other}}
     *
     * @param other the interest to add
     */
    public Interest with(Interest other) {
        return BY_BITS[bits | other.bits];
    }

    /**
     * {@return this interest without {@code other}}
     *
     * @param other the interest to take away
     */
    public Interest without(Interest other) {
        return BY_BITS[bits & ~other.bits];
    }

    @Override
    public String toString() {
        return switch (bits) {
            case 0 -> "NONE";
            case 1 -> "READABLE";
            case 2 -> "WRITABLE";
            default -> "BOTH";
        };
    }
}
