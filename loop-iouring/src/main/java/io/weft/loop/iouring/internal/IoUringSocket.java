package io.weft.loop.iouring.internal;

import io.weft.loop.core.net.spi.SocketHandle;
import io.weft.loop.core.spi.PollSource;
import io.weft.loop.epoll.internal.Errno;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;

/**
 * A connected stream socket driven by completions on its loop's ring; loop-epoll's socket ({@code
 * delegate}) owns the fd and does what is not I/O (connect, addresses, shutdown, close, abort).
 *
 * <p><b>Receive.</b> While the loop wants to read, one multishot receive is in flight; each completion
 * queues the buffer it filled (buffer id, length). {@link #read} copies out of the queue (a buffer
 * partly read keeps its offset) and gives each emptied buffer back to the ring; after the data comes
 * the end of stream (-1) or the error. When the loop stops wanting to read (a paused reader) the
 * receive is cancelled and what is queued is copied to the heap and its buffers given back, so a
 * stalled connection holds none of the ring. With no receive in flight (paused, waiting for a
 * buffer, not watched yet) a read is a plain {@code recv}, so nothing the kernel holds is missed.
 *
 * <p><b>Send.</b> With nothing staged, {@link #write} is a plain {@code sendmsg}: the bytes are with
 * the kernel when it returns, whatever the caller does next (a loop-carried virtual thread may keep the
 * loop thread for a while). What the kernel has no room for is copied into the socket's {@link
 * SendStaging} block, as far as it fits, and sent by one {@code IORING_OP_SEND}, which waits in the
 * kernel for room (where the readiness backend would arm {@code POLLOUT} and try again); writes made
 * meanwhile are staged behind it, and its completion submits the rest. The block goes back to the
 * pool when all of it was sent. A failed send is thrown by the next write or read (after the data
 * already received). {@link #shutdownOutput} and {@link #close} wait for what is staged: FIN follows
 * the data.
 *
 * <p>Loop thread only, like every {@link SocketHandle}.
 */
final class IoUringSocket extends Completable implements SocketHandle {
    private static final int NONE = 0;
    private static final int ARMED = 1;
    private static final int CANCELLING = 2;
    private static final int[] NO_QUEUE = new int[0];

    private final SocketHandle delegate;
    private boolean connected;

    // Receive: the multishot request, the queue of filled buffers, what comes after them.
    private int receive = NONE;
    /** Empty until the first receive: an idle connection keeps no queue. */
    private int[] queuedIds = NO_QUEUE;
    private int[] queuedLengths = NO_QUEUE;
    private int queueHead;
    private int queueCount;
    private int headOffset;
    /** What a paused reader had queued, copied off the ring, in read mode; null when none. */
    private ByteBuffer spilled;
    private boolean endOfStream;
    private int receiveError;

    // Send: the staging block, filled up to fill, sent up to sent.
    private SendStaging.Block block;
    private int fill;
    private int sent;
    private boolean sendInFlight;
    /** The length of the send in flight. */
    private int submitted;
    private int sendError;
    private boolean shutdownPending;
    /** close() waits for the staged bytes: the fd is closed when they are sent. */
    private boolean closePending;

    IoUringSocket(SocketHandle delegate, boolean connected) {
        super(((PollSource.Fd) delegate.source()).fd());
        this.delegate = delegate;
        this.connected = connected;
    }

    @Override
    public PollSource source() {
        return delegate.source();
    }

    @Override
    boolean completionMode() {
        return connected;
    }

    @Override
    public boolean finishConnect() throws IOException {
        ensureOpen();
        if (connected) {
            return true;
        }
        if (!delegate.finishConnect()) {
            return false;
        }
        connected = true;
        if (driver != null) {
            driver.connected(this); // from poll requests to completions
        }
        return true;
    }

    // ------------------------------------------------------------------ readiness

    @Override
    int readyOps() {
        int ops = 0;
        if (queueCount > 0 || spilled != null || endOfStream || receiveError != 0 || sendError != 0) {
            ops |= SocketDriver.READABLE;
        }
        if (sendError != 0 || fill < SendStaging.SIZE) {
            ops |= SocketDriver.WRITABLE;
        }
        return ops;
    }

    @Override
    void interestChanged(int before) throws IOException {
        if ((wanted & SocketDriver.READABLE) != 0) {
            startReceive();
        } else {
            released();
            spill();
        }
    }

    @Override
    void released() throws IOException {
        if (receive == ARMED) {
            driver.cancel(this, SocketDriver.RECV);
            receive = CANCELLING;
        }
    }

    @Override
    void rearm() throws IOException {
        if ((wanted & SocketDriver.READABLE) != 0) {
            startReceive();
        }
    }

    private void startReceive() throws IOException {
        if (receive == NONE && !closed && !endOfStream && receiveError == 0 && !starved) {
            driver.queueReceive(this);
            receive = ARMED;
        }
    }

    @Override
    boolean idle() {
        return receive == NONE && !sendInFlight;
    }

    @Override
    void complete(int kind, int res, int flags) throws IOException {
        if (kind == SocketDriver.RECV) {
            received(res, flags);
        } else if (kind == SocketDriver.SEND) {
            driver.sendCompletions++;
            sendInFlight = false;
            sent(res);
        }
    }

    // ------------------------------------------------------------------ receive

    private void received(int res, int flags) {
        driver.receiveCompletions++;
        boolean more = (flags & UringLayouts.CQE_F_MORE) != 0;
        if (!more) {
            receive = NONE;
            driver.receiving--;
        }
        if (res > 0 && (flags & UringLayouts.CQE_F_BUFFER) != 0) {
            int id = flags >>> UringLayouts.CQE_BUFFER_SHIFT;
            driver.buffers.taken();
            if (closed) {
                driver.buffers.recycle(id);
            } else {
                enqueue(id, res);
                if ((wanted & SocketDriver.READABLE) == 0) {
                    spill();
                }
            }
        } else if (res == 0) {
            endOfStream = true;
        } else if (res == -UringLayouts.ENOBUFS) {
            if (!closed) {
                driver.starved(this);
            }
        } else if (res < 0 && res != -UringLayouts.ECANCELED) {
            receiveError = -res;
        }
        if (!more && !closed) {
            driver.rearmLater(this); // it checks what is still wanted, and the end of stream
        }
        driver.list(this);
    }

    private void enqueue(int id, int length) {
        if (queueCount == queuedIds.length) {
            int[] ids = new int[Math.max(8, queueCount * 2)];
            int[] lengths = new int[ids.length];
            for (int i = 0; i < queueCount; i++) {
                int at = (queueHead + i) % queuedIds.length;
                ids[i] = queuedIds[at];
                lengths[i] = queuedLengths[at];
            }
            queuedIds = ids;
            queuedLengths = lengths;
            queueHead = 0;
        }
        int at = (queueHead + queueCount) % queuedIds.length;
        queuedIds[at] = id;
        queuedLengths[at] = length;
        queueCount++;
    }

    /** Copies queued data into {@code dst}, giving each emptied buffer back; returns the bytes copied. */
    private int drainQueue(ByteBuffer dst) {
        int copied = 0;
        while (queueCount > 0 && dst.hasRemaining()) {
            int id = queuedIds[queueHead];
            int n = Math.min(queuedLengths[queueHead] - headOffset, dst.remaining());
            driver.buffers.copy(id, headOffset, dst, n);
            copied += n;
            headOffset += n;
            if (headOffset == queuedLengths[queueHead]) {
                driver.buffers.recycle(id);
                headOffset = 0;
                queueHead = (queueHead + 1) % queuedIds.length;
                queueCount--;
            }
        }
        return copied;
    }

    /** Moves what is queued to the heap and gives its buffers back: a paused reader holds none of the ring. */
    private void spill() {
        if (queueCount == 0) {
            return;
        }
        int total = spilled == null ? 0 : spilled.remaining();
        for (int i = 0; i < queueCount; i++) {
            total += queuedLengths[(queueHead + i) % queuedIds.length];
        }
        ByteBuffer heap = ByteBuffer.allocate(total - headOffset);
        if (spilled != null) {
            heap.put(spilled);
        }
        drainQueue(heap);
        spilled = heap.flip();
    }

    private void dropQueue() {
        while (queueCount > 0) {
            driver.buffers.recycle(queuedIds[queueHead]);
            queueHead = (queueHead + 1) % queuedIds.length;
            queueCount--;
        }
        headOffset = 0;
        spilled = null;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        int copied = 0;
        if (spilled != null) {
            int n = Math.min(spilled.remaining(), dst.remaining());
            dst.put(dst.position(), spilled, spilled.position(), n);
            dst.position(dst.position() + n);
            spilled.position(spilled.position() + n);
            copied = n;
            if (!spilled.hasRemaining()) {
                spilled = null;
            }
        }
        if (queueCount > 0) {
            copied += drainQueue(dst);
        }
        if (copied > 0) {
            return copied;
        }
        if (receiveError != 0) {
            int error = receiveError;
            receiveError = 0;
            endOfStream = true; // as a socket: the error once, then the end of the stream
            throw Errno.socketException("recv(fd=" + fd + ", multishot)", error);
        }
        if (endOfStream) {
            return -1;
        }
        if (receive == NONE) {
            // Nothing in flight (paused, waiting for a buffer, not watched yet): the kernel holds the data.
            int n = delegate.read(dst);
            if (n < 0) {
                endOfStream = true;
            }
            if (n != 0) {
                return n;
            }
        }
        if (sendError != 0) {
            throw sendFailure();
        }
        return 0;
    }

    // ------------------------------------------------------------------ send

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        ensureOpen();
        if (sendError != 0) {
            throw sendFailure();
        }
        if (driver == null || !connected) {
            return delegate.write(srcs, offset, length); // not watched yet: the plain call
        }
        if (driver.isClosed()) {
            throw new IOException("socket fd=" + fd + ": its io_uring loop is closed");
        }
        long written = 0;
        if (!sendInFlight && fill == 0) {
            // Nothing staged: straight to the kernel, as the readiness backend does, so the bytes are
            // on their way before this returns (a loop-carried virtual thread may not give the loop
            // back for a while). Only what the kernel has no room for is staged and sent by the ring.
            for (long n; (n = delegate.write(srcs, offset, length)) > 0; ) {
                written += n;
                if (!hasRemaining(srcs, offset, length)) {
                    return written;
                }
            }
        }
        if (block == null) {
            block = driver.staging.take();
        }
        int room = SendStaging.SIZE - fill;
        for (int i = offset, end = offset + length; i < end && room > 0; i++) {
            ByteBuffer src = srcs[i];
            int n = Math.min(room, src.remaining());
            if (n > 0) {
                block.view.put(fill, src, src.position(), n);
                src.position(src.position() + n);
                fill += n;
                room -= n;
                written += n;
            }
        }
        if (!sendInFlight && fill > sent) {
            submitSend();
        } else if (fill == 0) {
            giveBlock();
        }
        return written;
    }

    private static boolean hasRemaining(ByteBuffer[] srcs, int offset, int length) {
        for (int i = offset, end = offset + length; i < end; i++) {
            if (srcs[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    private void submitSend() throws IOException {
        submitted = fill - sent;
        driver.queueSend(this, block.address + sent, submitted);
        sendInFlight = true;
    }

    private void sent(int res) throws IOException {
        if (closed && !closePending) {
            sendFailed(UringLayouts.ECANCELED); // aborted: what is left is dropped
            return;
        }
        if (res < 0 && res != -Errno.EAGAIN && res != -Errno.EINTR) {
            sendFailed(-res);
            return;
        }
        if (res > 0) {
            sent += res;
        }
        if (sent < fill) {
            if (res < submitted) {
                driver.shortSends++;
            }
            driver.sendsAgain++;
            submitSend(); // a short send: the rest, with what was written since
            return;
        }
        sent = 0;
        fill = 0;
        giveBlock();
        if (shutdownPending) {
            shutdownPending = false;
            try {
                delegate.shutdownOutput();
            } catch (IOException e) {
                sendError = Errno.EPIPE;
            }
        }
        if (closePending) {
            finishClose();
        }
        driver.list(this);
    }

    private void sendFailed(int error) throws IOException {
        sendError = error;
        sent = 0;
        fill = 0;
        giveBlock();
        shutdownPending = false;
        if (closePending) {
            finishClose();
        }
        driver.list(this);
    }

    private IOException sendFailure() {
        return Errno.socketException("send(fd=" + fd + ")", sendError);
    }

    private void giveBlock() {
        if (block != null && !sendInFlight) {
            driver.staging.give(block);
            block = null;
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        ensureOpen();
        if (sendError != 0) {
            throw sendFailure();
        }
        if (sendInFlight || fill > sent) {
            shutdownPending = true; // FIN after the staged bytes: when their send completes
            return;
        }
        delegate.shutdownOutput();
    }

    // ------------------------------------------------------------------ close

    @Override
    public SocketAddress localAddress() throws IOException {
        ensureOpen();
        return delegate.localAddress();
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        ensureOpen();
        return delegate.remoteAddress();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (driver == null || driver.isClosed()) {
            finishClose();
            return;
        }
        dropQueue();
        released();
        if ((sendInFlight || fill > sent) && sendError == 0) {
            closePending = true; // the fd closes once the staged bytes are sent: FIN after the data
            driver.closing(this);
            if (!sendInFlight) {
                submitSend();
            }
            return;
        }
        finishClose();
    }

    private void finishClose() throws IOException {
        if (closePending) {
            closePending = false;
            driver.closed(this);
        }
        CompletionFds.remove(this);
        try {
            delegate.close();
        } finally {
            if (driver != null) {
                driver.freeIfDone(this);
            }
        }
    }

    @Override
    public void abort() throws IOException {
        if (closed && !closePending) {
            return;
        }
        closed = true;
        if (closePending) {
            closePending = false;
            driver.closed(this);
        }
        if (driver != null && !driver.isClosed()) {
            dropQueue();
            if (receive == ARMED || sendInFlight) {
                driver.cancelAll(this);
                if (receive == ARMED) {
                    receive = CANCELLING;
                }
            }
            if (!sendInFlight) {
                fill = 0;
                sent = 0;
                giveBlock();
            } // else the block goes back when the cancelled send completes
        }
        CompletionFds.remove(this);
        try {
            delegate.abort();
        } finally {
            if (driver != null) {
                driver.freeIfDone(this);
            }
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("socket fd=" + fd + " is closed");
        }
    }

    /** For tests: provided buffers this socket holds (queued, not read yet). */
    int queuedBuffers() {
        return queueCount;
    }

    /** For tests: whether a multishot receive is in flight. */
    boolean receiving() {
        return receive != NONE;
    }

    @Override
    public String toString() {
        return "IoUringSocket[fd=" + fd + (closed ? ", closed" : "") + "]";
    }
}
