package io.weft.loop.iouring.internal;

import java.io.IOException;

/**
 * A socket whose I/O is driven by completions on the ring of the loop that watches it: a connected
 * socket ({@link IoUringSocket}) or a listener ({@link IoUringServerSocket}). It binds to the first
 * poller that arms it ({@link SocketDriver#bind}) and stays with it; the poller reports its readiness
 * from its state (data queued, room to write) rather than from the kernel, level-triggered as the
 * loop expects.
 *
 * <p>The fields here are the driver's bookkeeping; loop thread only.
 */
abstract sealed class Completable permits IoUringSocket, IoUringServerSocket {
    final int fd;
    /** The driver of the loop that watches it; null until the first {@code update}. */
    SocketDriver driver;
    /** Its index in the driver's table, the low bits of its requests' user_data. */
    int slot = -1;
    /** The loop's token and the ops it wants. */
    long token;
    int wanted;
    /** Whether it is on the driver's list of sockets that may be ready. */
    boolean listed;
    /** Whether it is on the driver's list of requests to queue at the start of the next poll. */
    boolean rearmListed;
    /** Whether its last receive ended for want of a buffer (-ENOBUFS) and waits for one to come back. */
    boolean starved;
    boolean closed;

    Completable(int fd) {
        this.fd = fd;
    }

    /** Whether completions drive it now; a socket still connecting is watched for readiness instead. */
    abstract boolean completionMode();

    /** What it can report now ({@code Poller.READABLE}, {@code WRITABLE}), before masking with {@link #wanted}. */
    abstract int readyOps();

    /** The ops it wants changed from {@code before}: start or cancel its requests to match. */
    abstract void interestChanged(int before) throws IOException;

    /** The loop forgets it (its watcher is closing, the socket next): cancel its requests, keep nothing. */
    abstract void released() throws IOException;

    /** Queues again the multishot request that ended, if it is still wanted. */
    abstract void rearm() throws IOException;

    /** One completion of its requests of {@code kind} ({@link SocketDriver#RECV} ...). */
    abstract void complete(int kind, int res, int flags) throws IOException;

    /** Whether it has no request in flight: once closed, its slot can be reused. */
    abstract boolean idle();
}
