package io.weft.loop.core.net;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.Interest;
import io.weft.loop.core.Timer;
import io.weft.loop.core.Watcher;
import io.weft.loop.core.WatcherHandler;
import io.weft.loop.core.net.spi.PeerResetException;
import io.weft.loop.core.net.spi.SocketHandle;
import io.weft.loop.core.net.spi.SocketOptions;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * One TCP connection on an {@link EventLoop}: reads delivered to a {@link ConnectionHandler},
 * writes queued with backpressure, half-close, close.
 *
 * <p><b>Threads.</b> Every method is loop-thread only (see {@link EventLoop#inLoop()}) and fails
 * fast elsewhere; hand work over with {@code loop.execute}. The handler runs on the loop thread.
 *
 * <p><b>Writes.</b> {@link #write} copies the bytes into the connection's queue (the caller keeps
 * its buffer) and never blocks or drops data. Writes made while a handler callback runs are
 * flushed together, in one gather write, when it returns; other writes are flushed at once. When
 * the queue rises above {@link TcpOptions#writeHighWatermark()} the connection becomes unwritable
 * and the handler is told; below {@link TcpOptions#writeLowWatermark()} it is told again. A
 * handler that stops writing (or pauses reading) while unwritable keeps memory bounded.
 *
 * <p><b>Write completion.</b> {@link #write(ByteBuffer, WriteCompletion)} also says when those
 * bytes reached the kernel, or that they never will; completions come in submission order, every
 * success before any failure. Writes without one cost nothing extra.
 *
 * <p><b>Closing.</b> {@link #close()} is graceful: it stops delivering input, flushes the queue
 * (for at most {@link TcpOptions#closeTimeout()}, then resets), sends FIN, then reads and discards
 * input until the peer's FIN or for at most {@link TcpOptions#lingerTimeout()} before it closes
 * the socket, so input the handler never read does not make the kernel reset a response the peer
 * has not read yet; while it drains it counts in {@link TcpStats#lingeringConnections()}, and if its
 * loop closes meanwhile it discards the input that arrived first, so that closing is no reset
 * either. {@link #abort()} closes at once with a reset (RST) and fails the queued writes.
 * A failed write first delivers the input that had already arrived, then closes. A reset peer
 * closes only its own connection, quietly, counted in {@link TcpStats#peerResets()}.
 */
public final class TcpConnection implements StreamConnection {
    private static final int CONNECTING = 0;
    private static final int OPEN = 1;
    /** close() was called: flushing the queue before FIN. */
    private static final int CLOSING = 2;
    /** FIN sent: discarding input until the peer's FIN or the linger timeout. */
    private static final int DRAINING = 3;
    private static final int CLOSED = 4;
    private static final int ON_OPEN = 0;
    private static final int ON_READ = 1;
    private static final int ON_INPUT_CLOSED = 2;
    /** Reads per readiness event when each one fills the buffer, so one busy peer cannot hog the loop. */
    private static final int MAX_READS_PER_EVENT = 4;

    private final EventLoop loop;
    private final SocketHandle socket;
    private final ConnectionHandler handler;
    private final TcpOptions options;
    private final NetLoopState net;
    private final TcpStats stats;
    private final OutboundBuffer outbound;
    private final Runnable redeliver = this::redeliverInbound;
    private Watcher watcher;
    private CompletableFuture<TcpConnection> connected;
    private SocketAddress connectingTo;
    private ByteBuffer inbound;
    private int state;
    private boolean readPaused;
    private boolean inputClosed;
    private boolean outputShutdownRequested;
    private boolean outputShutdown;
    /** A write failed: nothing more is flushed; the input already received is delivered, then it closes. */
    private boolean outputFailed;
    private WriteCompletion shutdownCompletion;
    /** Bounds the flush of close(), then the drain after its FIN. */
    private Timer closeTimer;
    private boolean writable = true;
    private boolean inHandler;
    private Timer idleTimer;
    private Object attachment;

    private TcpConnection(EventLoop loop, SocketHandle socket, TcpOptions options, ConnectionHandler handler, int state) {
        this.loop = loop;
        this.socket = socket;
        this.options = options;
        this.handler = handler;
        this.state = state;
        this.net = NetLoopState.of(loop);
        this.stats = TcpStats.of(loop);
        this.outbound = new OutboundBuffer(net);
    }

    /**
     * Takes over an accepted socket on its loop's thread: watches it and calls {@code onOpen}.
     *
     * @return false when the loop is shutting down and takes no new watchers: the socket is then
     *     still the caller's to close
     */
    static boolean accepted(EventLoop loop, SocketHandle socket, TcpOptions options, ConnectionHandler handler) {
        TcpConnection connection = new TcpConnection(loop, socket, options, handler, OPEN);
        try {
            connection.watcher = loop.watch(socket.source(), Interest.READABLE, connection.events()).kind("connection");
        } catch (IllegalStateException refused) {
            if (loop.isShuttingDown()) {
                return false;
            }
            throw refused;
        }
        connection.opened();
        return true;
    }

    /**
     * Connects to {@code address} on {@code loop}; safe from any thread. The future completes on
     * the loop thread after {@link ConnectionHandler#onOpen} (also when {@code onOpen} closed the
     * connection), or fails if the connect does (and then the handler's {@code onClose} reports
     * {@link CloseReason#ERROR} if a socket was opened). Cancelling the future before it completes
     * cancels the connect: its socket is closed at once (on the loop thread) and the handler's {@code
     * onClose} reports {@link CloseReason#LOCAL_CLOSE} with a {@link CancellationException}.
     *
     * <p>A {@link java.net.UnixDomainSocketAddress} connects to a Unix domain stream socket; the
     * TCP-only options are skipped there, and a path with no listener fails the future with an
     * {@link IOException} naming the path and the reason (no such file, connection refused).
     *
     * @param loop the loop the connection lives on
     * @param address a resolved {@link java.net.InetSocketAddress}, or a {@link java.net.UnixDomainSocketAddress}
     * @param options the connection's options
     * @param handler the connection's handler, called on the loop thread
     * @return a future of the open connection, completed on the loop thread
     * @throws IllegalArgumentException if the address is unresolved, of another type, a Unix socket path
     *     longer than {@code sun_path} allows, or port sharing is asked for on a Unix socket
     */
    public static CompletableFuture<TcpConnection> connect(EventLoop loop, SocketAddress address, TcpOptions options,
            ConnectionHandler handler) {
        Objects.requireNonNull(loop, "loop");
        StreamAddresses.check(address);
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        SocketOptions socketOptions = StreamAddresses.socketOptions(address, options);
        CompletableFuture<TcpConnection> future = new CompletableFuture<>();
        Runnable start = () -> {
            if (future.isDone()) {
                return; // cancelled before it started
            }
            SocketHandle socket;
            try {
                socket = TcpBackends.of(loop).connect(address, socketOptions);
            } catch (IOException | RuntimeException e) {
                future.completeExceptionally(e);
                return;
            }
            TcpConnection connection = new TcpConnection(loop, socket, options, handler, CONNECTING);
            connection.connected = future;
            connection.connectingTo = address;
            try {
                connection.watcher = loop.watch(socket.source(), Interest.WRITABLE, connection.events())
                        .kind("connection");
            } catch (IllegalStateException refused) { // release the socket; fails the future, calls onClose
                connection.closeNow(loop.isShuttingDown() ? CloseReason.LOOP_CLOSED : CloseReason.ERROR, refused);
                return;
            }
            future.whenComplete((ignored, failure) -> {
                if (future.isCancelled()) {
                    connection.onLoop(connection::cancelConnect);
                }
            });
        };
        if (loop.inLoop()) {
            start.run();
        } else {
            loop.execute(start);
        }
        return future;
    }

    private WatcherHandler events() {
        return new WatcherHandler() {
            @Override
            public void onReady(Watcher w, Interest ready) {
                TcpConnection.this.onReady(ready);
            }

            @Override
            public void onLoopClosing(Watcher w) {
                if (state == DRAINING) {
                    drainAfterClose(); // input that arrived since the last read would turn the close into a reset
                }
                closeNow(CloseReason.LOOP_CLOSED, null);
            }

            @Override
            public String toString() {
                // What a blocked-loop alarm names as the running task: the application's handler.
                return "TCP connection handled by " + handler.getClass().getName();
            }
        };
    }

    // ------------------------------------------------------------------ public API

    /** The loop this connection lives on. */
    public EventLoop loop() {
        return loop;
    }

    /** {@return the options it was opened with} */
    public TcpOptions options() {
        return options;
    }

    /**
     * Queues the remaining bytes of {@code data} (consuming them) and flushes as described on the
     * class. Loop thread only.
     *
     * @throws IllegalStateException if the connection is closing or closed, or its output was shut down
     */
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        checkLoop("write");
        if (state >= CLOSING || outputShutdownRequested) {
            throw new IllegalStateException("cannot write: connection is "
                    + (state >= CLOSING ? "closed" : "shut down for output") + "; check isOpen() first");
        }
        if (!data.hasRemaining()) {
            return;
        }
        outbound.append(data);
        if (writable && outbound.queuedBytes() > options.writeHighWatermark()) {
            writable = false;
            handler.onWritabilityChanged(this, false);
        }
        if (!inHandler && state == OPEN) {
            flush();
        }
    }

    /**
     * Like {@link #write(ByteBuffer)}, and calls {@code completion} on the loop thread once these
     * bytes are all handed to the kernel, or with the cause once they never will be (the connection
     * failed or was aborted). Completions follow submission order; an empty {@code data} completes
     * once the writes before it have. Loop thread only.
     *
     * @param data the bytes to send, from its position to its limit; consumed
     * @param completion told once these bytes are with the kernel, or why they never will be
     * @throws IllegalStateException if the connection is closing or closed, or its output was shut down
     */
    public void write(ByteBuffer data, WriteCompletion completion) {
        Objects.requireNonNull(completion, "completion; use write(data) for a write nobody waits for");
        boolean wasInHandler = inHandler;
        inHandler = true; // queue only: the completion must be registered before a flush can run it
        try {
            write(data);
        } finally {
            inHandler = wasInHandler;
        }
        outbound.whenWritten(completion);
        if (!inHandler && state == OPEN) {
            flush();
        }
    }

    /** Runs {@code task} now if on the loop thread, else hands it to the loop. */
    private void onLoop(Runnable task) {
        if (loop.inLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    /** Whether the queued writes are below the high watermark (see the class description). */
    public boolean isWritable() {
        return writable;
    }

    /** Bytes queued and not yet taken by the OS. */
    public long queuedBytes() {
        return outbound.queuedBytes();
    }

    /** Stops reading until {@link #resumeReading()}; the peer is slowed by TCP flow control. */
    public void pauseReading() {
        checkLoop("pauseReading");
        readPaused = true;
        updateInterest();
    }

    /**
     * Resumes reading. Bytes the handler left unconsumed are handed to it again soon, even if no
     * new bytes arrive.
     */
    public void resumeReading() {
        checkLoop("resumeReading");
        if (!readPaused) {
            return;
        }
        readPaused = false;
        updateInterest();
        if (inbound != null && inbound.hasRemaining()) {
            loop.execute(redeliver);
        }
    }

    /** Whether reading is paused. */
    public boolean isReadingPaused() {
        return readPaused;
    }

    /**
     * Half-closes: sends FIN once the queued writes are flushed; reading goes on. Further writes
     * fail. Idempotent.
     */
    public void shutdownOutput() {
        shutdownOutput(null);
    }

    /**
     * Like {@link #shutdownOutput()}, and calls {@code completion} (if not null) once FIN was sent
     * after the writes queued before it, or with the cause if the connection failed or closed first.
     * A second call, or one on a closing connection, has no effect and its completion is never called.
     *
     * @param completion told once FIN is sent, or why it never will be; may be null
     */
    public void shutdownOutput(WriteCompletion completion) {
        checkLoop("shutdownOutput");
        if (state >= CLOSING || outputShutdownRequested) {
            return;
        }
        outputShutdownRequested = true;
        shutdownCompletion = completion;
        if (outbound.isEmpty() && state == OPEN) {
            doShutdownOutput();
        }
    }

    /**
     * Closes gracefully (see the class description): stops delivering input, flushes the queue
     * within {@link TcpOptions#closeTimeout()} (past it: resets, counted in {@link
     * TcpStats#closeTimeouts()}), sends FIN, drains input for up to {@link
     * TcpOptions#lingerTimeout()}, then closes; {@link ConnectionHandler#onClose} comes at the end.
     * On a connection still connecting it cancels the connect at once. Idempotent.
     */
    public void close() {
        checkLoop("close");
        if (state >= CLOSING) {
            return;
        }
        if (state == CONNECTING) {
            cancelConnect();
            return;
        }
        state = CLOSING;
        if (outbound.isEmpty()) {
            flushedForClose();
            return;
        }
        closeTimer = loop.schedule(options.closeTimeout(), this::closeTimedOut);
        updateInterest();
    }

    /**
     * Closes at once with a reset: the peer reads ECONNRESET, queued writes are failed and dropped.
     * On a connection still connecting it cancels the connect. Idempotent.
     */
    public void abort() {
        checkLoop("abort");
        if (state == CONNECTING) {
            cancelConnect();
            return;
        }
        closeNow(CloseReason.LOCAL_CLOSE, null, true);
    }

    /** Whether the connection is established and neither closing nor closed. */
    public boolean isOpen() {
        return state == OPEN;
    }

    /**
     * The local address: an {@link java.net.InetSocketAddress} for TCP, a {@link
     * java.net.UnixDomainSocketAddress} for a Unix domain socket (an empty path when the socket has
     * no name, as a connecting client's has not).
     *
     * @return the local address, or null if the OS no longer knows it
     */
    public SocketAddress localAddress() {
        try {
            return socket.localAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The peer's address, of the same kind as {@link #localAddress()}.
     *
     * @return the peer's address, or null if the OS no longer knows it
     */
    public SocketAddress remoteAddress() {
        try {
            return socket.remoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Any object the application keeps with this connection.
     *
     * @return the object last given to {@link #attach}, or null
     */
    public Object attachment() {
        return attachment;
    }

    /**
     * Sets the application's object; see {@link #attachment()}.
     *
     * @param value the object to keep, or null
     */
    public void attach(Object value) {
        attachment = value;
    }

    @Override
    public String toString() {
        return "TcpConnection[" + remoteAddress() + ", " + switch (state) {
            case CONNECTING -> "connecting";
            case OPEN -> "open";
            case CLOSING -> "closing";
            case DRAINING -> "draining";
            default -> "closed";
        } + "]";
    }

    // ------------------------------------------------------------------ state machine

    private void opened() {
        stats.opened();
        Duration idle = options.idleTimeout();
        if (!idle.isZero()) {
            idleTimer = loop.schedule(idle, this::idleTimedOut);
        }
        try {
            callHandler(ON_OPEN, null);
        } catch (RuntimeException e) {
            if (connected != null) {
                connected.completeExceptionally(e);
            }
            throw e;
        }
        if (connected != null) {
            connected.complete(this); // also when onOpen closed it: the connect itself succeeded
        }
        afterHandler();
    }

    private void onReady(Interest ready) {
        if (state == CONNECTING) {
            finishConnect();
            return;
        }
        if (state == DRAINING) {
            if (ready.isReadable()) {
                drainAfterClose();
            }
            return;
        }
        if (ready.isWritable() && !outbound.isEmpty()) {
            flush();
        }
        if (ready.isReadable() && state == OPEN && !readPaused && !inputClosed) {
            read();
        }
    }

    private void cancelConnect() {
        if (state == CONNECTING) {
            closeNow(CloseReason.LOCAL_CLOSE, new CancellationException("connect to " + connectingTo
                    + " cancelled (closed, aborted or its future cancelled) before it completed"), false);
        } else if (state == OPEN) {
            close(); // cancelled while onOpen ran: the caller never got the connection
        }
    }

    private void finishConnect() {
        try {
            if (!socket.finishConnect()) {
                return;
            }
        } catch (IOException e) {
            closeNow(CloseReason.ERROR, e);
            return;
        }
        state = OPEN;
        opened();
    }

    /**
     * Reads and delivers, at most {@link #MAX_READS_PER_EVENT} times; returns true when reading may
     * go on and the socket may hold more (every read filled its buffer).
     */
    private boolean read() {
        for (int i = 0; i < MAX_READS_PER_EVENT && state == OPEN && !readPaused; i++) {
            ByteBuffer buffer = readTarget();
            if (buffer == null) {
                return false;
            }
            int space = buffer.remaining();
            int n;
            try {
                n = socket.read(buffer);
            } catch (PeerResetException e) {
                closeNow(CloseReason.RESET, e);
                return false;
            } catch (IOException e) {
                closeNow(CloseReason.ERROR, e);
                return false;
            }
            buffer.flip();
            if (n <= 0) {
                keepUnconsumed(buffer);
                if (n < 0) {
                    onEndOfStream();
                }
                return false;
            }
            touch();
            stats.read(n);
            deliver(buffer);
            if (n < space) {
                return false; // the socket is drained
            }
        }
        return state == OPEN && !readPaused;
    }

    /** The buffer to read into, in write mode: the loop's shared one, or this connection's leftovers. */
    private ByteBuffer readTarget() {
        if (inbound == null) {
            return net.readBuffer.clear();
        }
        inbound.compact();
        if (!inbound.hasRemaining()) {
            int size = inbound.capacity();
            if (size >= options.maxInboundBuffer()) {
                inbound.flip();
                closeNow(CloseReason.ERROR, new IOException("the handler left " + size
                        + " bytes unconsumed, the connection's maxInboundBuffer; closing"));
                return null;
            }
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(size * 2, options.maxInboundBuffer()));
            inbound = bigger.put(inbound.flip());
        }
        return inbound;
    }

    private void deliver(ByteBuffer data) {
        callHandler(ON_READ, data);
        if (state == CLOSED) {
            return;
        }
        keepUnconsumed(data);
        afterHandler();
    }

    /** Keeps what the handler did not consume (data is in read mode), or lets go of the leftovers. */
    private void keepUnconsumed(ByteBuffer data) {
        if (!data.hasRemaining()) {
            if (data == inbound) {
                inbound = null;
            }
            return;
        }
        if (data != inbound) {
            ByteBuffer kept = ByteBuffer.allocate(Math.max(2 * data.remaining(), 4096));
            inbound = kept.put(data).flip();
        }
    }

    private void redeliverInbound() {
        if (state == OPEN && !readPaused && inbound != null && inbound.hasRemaining()) {
            deliver(inbound);
        }
    }

    private void onEndOfStream() {
        inputClosed = true;
        updateInterest();
        callHandler(ON_INPUT_CLOSED, null);
        afterHandler();
    }

    /** After a handler callback: flush what it wrote, and arm for what the state now needs. */
    private void afterHandler() {
        if (state == CLOSED || state == DRAINING || outputFailed) {
            return;
        }
        if (!outbound.isEmpty() || outputShutdownRequested && !outputShutdown) {
            flush();
        } else if (state == CLOSING) {
            flushedForClose();
        } else {
            updateInterest();
        }
    }

    private void flush() {
        if (outputFailed) {
            return;
        }
        try {
            long written = outbound.writeTo(socket);
            if (written > 0) {
                touch();
                stats.written(written);
            }
        } catch (IOException e) {
            failOutput(e);
            return;
        }
        if (outbound.awaitsCompletion()) {
            completeWritten();
        }
        if (outbound.isEmpty()) {
            flushedAll();
        }
        if (state > CLOSING) {
            return;
        }
        if (!writable && outbound.queuedBytes() < options.writeLowWatermark()) {
            writable = true;
            handler.onWritabilityChanged(this, true);
        }
        updateInterest();
    }

    /** The queue is flushed: what close() or shutdownOutput() waited for can go on. */
    private void flushedAll() {
        if (state == CLOSING) {
            flushedForClose();
        } else if (state == OPEN && outputShutdownRequested && !outputShutdown) {
            doShutdownOutput();
        }
    }

    /** Calls the completions of the writes that reached the kernel, with writes they make batched. */
    private void completeWritten() {
        boolean wasInHandler = inHandler;
        inHandler = true;
        try {
            for (WriteCompletion c; (c = outbound.pollWritten()) != null; ) {
                complete(c, null);
            }
        } finally {
            inHandler = wasInHandler;
        }
    }

    private void complete(WriteCompletion completion, Throwable failure) {
        try {
            completion.completed(failure);
        } catch (RuntimeException e) {
            closeNow(CloseReason.ERROR, e);
            throw e;
        }
    }

    /**
     * A write failed: deliver what the peer sent before (it may still sit unread in the kernel,
     * with its end of stream), then close with the write's failure (unless a read failed first).
     */
    private void failOutput(IOException failure) {
        outputFailed = true;
        readPaused = false; // the connection is ending: what arrived is delivered even if reading was paused
        while (!inputClosed && read()) {
            // until the socket is drained, or the handler pauses or closes
        }
        closeNow(failure instanceof PeerResetException ? CloseReason.RESET : CloseReason.ERROR, failure);
    }

    private void doShutdownOutput() {
        outputShutdown = true;
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            failOutput(e);
            return;
        }
        WriteCompletion completion = shutdownCompletion;
        if (completion != null) {
            shutdownCompletion = null;
            complete(completion, null);
        }
    }

    /** close() found the queue flushed: FIN, then drain input for the linger time, or close at once. */
    private void flushedForClose() {
        cancelCloseTimer();
        if (inputClosed || options.lingerTimeout().isZero()) {
            closeNow(inputClosed ? CloseReason.PEER_CLOSED : CloseReason.LOCAL_CLOSE, null);
            return;
        }
        if (!outputShutdown) {
            doShutdownOutput();
            if (state == CLOSED) {
                return;
            }
        }
        state = DRAINING;
        stats.lingering(1);
        closeTimer = loop.schedule(options.lingerTimeout(), () -> closeNow(CloseReason.LOCAL_CLOSE, null));
        updateInterest();
    }

    /** Reads and discards what the peer still sends after our FIN; closes at its FIN (or reset). */
    private void drainAfterClose() {
        for (int i = 0; i < MAX_READS_PER_EVENT; i++) {
            ByteBuffer buffer = net.readBuffer.clear();
            int n;
            try {
                n = socket.read(buffer);
            } catch (IOException e) {
                n = -1; // the peer is gone: nothing more to wait for
            }
            if (n < 0) {
                closeNow(CloseReason.LOCAL_CLOSE, null);
                return;
            }
            stats.read(n);
            if (n < buffer.capacity()) {
                return;
            }
        }
    }

    private void closeTimedOut() {
        if (state != CLOSING) {
            return;
        }
        stats.closeTimedOut();
        closeNow(CloseReason.ERROR, new IOException("close() could not flush " + outbound.queuedBytes()
                + " queued bytes within closeTimeout " + options.closeTimeout()
                + " (the peer is not reading); reset the connection and dropped them"), true);
    }

    private void cancelCloseTimer() {
        if (closeTimer != null) {
            closeTimer.cancel();
            closeTimer = null;
        }
    }

    private void updateInterest() {
        if (state == CLOSED) {
            return;
        }
        Interest wanted = Interest.NONE;
        if (state == OPEN && !readPaused && !inputClosed || state == DRAINING) {
            wanted = Interest.READABLE;
        }
        if (!outbound.isEmpty()) {
            wanted = wanted.with(Interest.WRITABLE);
        }
        if (wanted == watcher.interest()) {
            return; // the usual case after a read: nothing to change, no call into the loop
        }
        if (wanted.isNone()) {
            watcher.stop();
        } else {
            watcher.start(wanted);
        }
    }

    /**
     * Records activity: pushes the idle timer out by the idle timeout (no allocation, O(1)). A
     * connection without one keeps no timer and skips it.
     */
    private void touch() {
        if (idleTimer != null) {
            idleTimer.refresh();
        }
    }

    /** The idle timer fired: nothing was read or written for the whole idle timeout. */
    private void idleTimedOut() {
        idleTimer = null;
        stats.idleTimedOut();
        closeNow(CloseReason.IDLE_TIMEOUT, null);
    }

    /**
     * Calls the handler with writes batched until it returns. What it throws aborts this
     * connection and goes on to the loop's exception handler.
     */
    private void callHandler(int event, ByteBuffer data) {
        inHandler = true;
        try {
            switch (event) {
                case ON_OPEN -> handler.onOpen(this);
                case ON_READ -> handler.onRead(this, data);
                default -> handler.onInputClosed(this);
            }
        } catch (RuntimeException e) {
            closeNow(CloseReason.ERROR, e);
            throw e;
        } finally {
            inHandler = false;
        }
    }

    private void closeNow(CloseReason reason, Throwable cause) {
        closeNow(reason, cause, false);
    }

    /**
     * Closes the socket (with a reset if {@code abortive}), fails the pending completions in order,
     * then tells the handler. A completion that throws does not stop the others or {@code onClose};
     * the first such exception is rethrown at the end, for the loop's exception handler.
     */
    private void closeNow(CloseReason reason, Throwable cause, boolean abortive) {
        if (state == CLOSED) {
            return;
        }
        boolean wasOpen = state != CONNECTING;
        if (state == DRAINING) {
            stats.lingering(-1);
        }
        state = CLOSED;
        if (idleTimer != null) {
            idleTimer.cancel();
            idleTimer = null;
        }
        cancelCloseTimer();
        if (watcher != null) {
            watcher.close();
        }
        try {
            if (abortive) {
                socket.abort();
            } else {
                socket.close();
            }
        } catch (IOException ignored) {
            // the fd is released either way; nothing more to do
        }
        outbound.release();
        inbound = null;
        if (wasOpen) {
            stats.closed();
        }
        if (reason == CloseReason.RESET) {
            stats.reset();
        }
        if (connected != null && !connected.isDone() && !wasOpen) {
            connected.completeExceptionally(cause != null ? cause : new IOException("connection closed: " + reason));
        }
        RuntimeException thrown = failCompletions(cause != null ? cause
                : new IOException("connection closed (" + reason + ") before the write was flushed"));
        handler.onClose(this, reason, cause);
        if (thrown != null) {
            throw thrown;
        }
    }

    /** Fails every pending completion, writes first, then a half-close's; returns the first exception one threw. */
    private RuntimeException failCompletions(Throwable failure) {
        RuntimeException thrown = null;
        WriteCompletion shutdown = shutdownCompletion;
        shutdownCompletion = null;
        for (WriteCompletion c = outbound.pollCompletion(); c != null || shutdown != null; c = outbound.pollCompletion()) {
            if (c == null) {
                c = shutdown;
                shutdown = null;
            }
            try {
                c.completed(failure);
            } catch (RuntimeException e) {
                if (thrown == null) {
                    thrown = e;
                }
            }
        }
        return thrown;
    }

    private void checkLoop(String what) {
        if (!loop.inLoop()) {
            throw new IllegalStateException("TcpConnection." + what + "() must be called on the thread of loop '"
                    + loop.name() + "'; hand it over with loop.execute(...)");
        }
    }
}
