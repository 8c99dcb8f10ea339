package io.weft.loop.core.net;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.Interest;
import io.weft.loop.core.Timer;
import io.weft.loop.core.Watcher;
import io.weft.loop.core.WatcherHandler;
import io.weft.loop.core.net.spi.PeerResetException;
import io.weft.loop.core.net.spi.SocketHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
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
 * <p><b>Closing.</b> {@link #close()} stops reading and closes once the queue is flushed; {@link
 * #abort()} closes at once and drops the queue. A reset peer closes only its own connection,
 * quietly, counted in {@link TcpStats#peerResets()}.
 */
public final class TcpConnection {
    private static final int CONNECTING = 0;
    private static final int OPEN = 1;
    private static final int CLOSING = 2;
    private static final int CLOSED = 3;
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
    private ByteBuffer inbound;
    private int state;
    private boolean readPaused;
    private boolean inputClosed;
    private boolean outputShutdownRequested;
    private boolean outputShutdown;
    private boolean writable = true;
    private boolean inHandler;
    private long lastActivityNanos;
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
            connection.watcher = loop.watch(socket.source(), Interest.READABLE, connection.events());
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
     * the loop thread after {@link ConnectionHandler#onOpen}, or fails if the connect does (and then
     * the handler's {@code onClose} reports {@link CloseReason#ERROR} if a socket was opened).
     */
    public static CompletableFuture<TcpConnection> connect(EventLoop loop, InetSocketAddress address, TcpOptions options,
            ConnectionHandler handler) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address " + address + " is unresolved; resolve it before connecting");
        }
        CompletableFuture<TcpConnection> future = new CompletableFuture<>();
        Runnable start = () -> {
            SocketHandle socket;
            try {
                socket = TcpBackends.of(loop).connect(address, options.socketOptions());
            } catch (IOException | RuntimeException e) {
                future.completeExceptionally(e);
                return;
            }
            TcpConnection connection = new TcpConnection(loop, socket, options, handler, CONNECTING);
            connection.connected = future;
            try {
                connection.watcher = loop.watch(socket.source(), Interest.WRITABLE, connection.events());
            } catch (IllegalStateException refused) { // release the socket; fails the future, calls onClose
                connection.closeNow(loop.isShuttingDown() ? CloseReason.LOOP_CLOSED : CloseReason.ERROR, refused);
            }
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

    /** The options it was opened with. */
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
        checkLoop("shutdownOutput");
        if (state >= CLOSING || outputShutdownRequested) {
            return;
        }
        outputShutdownRequested = true;
        if (outbound.isEmpty()) {
            doShutdownOutput();
        }
    }

    /** Stops reading and closes once the queued writes are flushed. Idempotent. */
    public void close() {
        checkLoop("close");
        if (state >= CLOSING) {
            return;
        }
        if (state == CONNECTING || outbound.isEmpty()) {
            closeNow(inputClosed ? CloseReason.PEER_CLOSED : CloseReason.LOCAL_CLOSE, null);
            return;
        }
        state = CLOSING;
        updateInterest();
    }

    /** Closes at once, dropping queued writes. Idempotent. */
    public void abort() {
        checkLoop("abort");
        closeNow(CloseReason.LOCAL_CLOSE, null);
    }

    /** Whether the connection is established and neither closing nor closed. */
    public boolean isOpen() {
        return state == OPEN;
    }

    /** The local address, or null if the OS no longer knows it. */
    public InetSocketAddress localAddress() {
        try {
            return socket.localAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** The peer's address, or null if the OS no longer knows it. */
    public InetSocketAddress remoteAddress() {
        try {
            return socket.remoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** Any object the application keeps with this connection. */
    public Object attachment() {
        return attachment;
    }

    /** Sets the application's object; see {@link #attachment()}. */
    public void attach(Object value) {
        attachment = value;
    }

    @Override
    public String toString() {
        return "TcpConnection[" + remoteAddress() + ", " + switch (state) {
            case CONNECTING -> "connecting";
            case OPEN -> "open";
            case CLOSING -> "closing";
            default -> "closed";
        } + "]";
    }

    // ------------------------------------------------------------------ state machine

    private void opened() {
        stats.opened();
        Duration idle = options.idleTimeout();
        if (!idle.isZero()) {
            idleTimer = loop.schedule(idle, this::checkIdle);
        }
        touch();
        callHandler(ON_OPEN, null);
        if (connected != null) {
            connected.complete(this);
        }
        afterHandler();
    }

    private void onReady(Interest ready) {
        if (state == CONNECTING) {
            finishConnect();
            return;
        }
        if (ready.isWritable() && !outbound.isEmpty()) {
            flush();
        }
        if (ready.isReadable() && state == OPEN && !readPaused && !inputClosed) {
            read();
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

    private void read() {
        for (int i = 0; i < MAX_READS_PER_EVENT && state == OPEN && !readPaused; i++) {
            ByteBuffer buffer = readTarget();
            if (buffer == null) {
                return;
            }
            int space = buffer.remaining();
            int n;
            try {
                n = socket.read(buffer);
            } catch (PeerResetException e) {
                closeNow(CloseReason.RESET, e);
                return;
            } catch (IOException e) {
                closeNow(CloseReason.ERROR, e);
                return;
            }
            buffer.flip();
            if (n <= 0) {
                keepUnconsumed(buffer);
                if (n < 0) {
                    onEndOfStream();
                }
                return;
            }
            touch();
            stats.read(n);
            deliver(buffer);
            if (n < space) {
                return; // the socket is drained
            }
        }
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
        if (state == CLOSED) {
            return;
        }
        if (!outbound.isEmpty()) {
            flush();
        } else if (state == CLOSING) {
            closeNow(inputClosed ? CloseReason.PEER_CLOSED : CloseReason.LOCAL_CLOSE, null);
        } else {
            updateInterest();
        }
    }

    private void flush() {
        try {
            long written = outbound.writeTo(socket);
            if (written > 0) {
                touch();
                stats.written(written);
            }
        } catch (PeerResetException e) {
            closeNow(CloseReason.RESET, e);
            return;
        } catch (IOException e) {
            closeNow(CloseReason.ERROR, e);
            return;
        }
        if (outbound.isEmpty()) {
            if (state == CLOSING) {
                closeNow(inputClosed ? CloseReason.PEER_CLOSED : CloseReason.LOCAL_CLOSE, null);
                return;
            }
            if (outputShutdownRequested && !outputShutdown) {
                doShutdownOutput();
            }
        }
        if (!writable && outbound.queuedBytes() < options.writeLowWatermark()) {
            writable = true;
            handler.onWritabilityChanged(this, true);
        }
        updateInterest();
    }

    private void doShutdownOutput() {
        outputShutdown = true;
        try {
            socket.shutdownOutput();
        } catch (PeerResetException e) {
            closeNow(CloseReason.RESET, e);
        } catch (IOException e) {
            closeNow(CloseReason.ERROR, e);
        }
    }

    private void updateInterest() {
        if (state == CLOSED) {
            return;
        }
        Interest wanted = Interest.NONE;
        if (state == OPEN && !readPaused && !inputClosed) {
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

    /** Records activity for the idle timeout; a connection without one keeps no timer and skips it. */
    private void touch() {
        if (idleTimer != null) {
            lastActivityNanos = loop.now();
        }
    }

    private void checkIdle() {
        if (state == CLOSED) {
            return;
        }
        long idleFor = loop.now() - lastActivityNanos;
        long limit = options.idleTimeout().toNanos();
        if (idleFor >= limit) {
            stats.idleTimedOut();
            closeNow(CloseReason.IDLE_TIMEOUT, null);
        } else {
            idleTimer = loop.schedule(Duration.ofNanos(limit - idleFor), this::checkIdle);
        }
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
        if (state == CLOSED) {
            return;
        }
        boolean wasOpen = state != CONNECTING;
        state = CLOSED;
        if (idleTimer != null) {
            idleTimer.cancel();
            idleTimer = null;
        }
        if (watcher != null) {
            watcher.close();
        }
        try {
            socket.close();
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
        if (connected != null && !connected.isDone()) {
            connected.completeExceptionally(cause != null ? cause : new IOException("connection closed: " + reason));
        }
        handler.onClose(this, reason, cause);
    }

    private void checkLoop(String what) {
        if (!loop.inLoop()) {
            throw new IllegalStateException("TcpConnection." + what + "() must be called on the thread of loop '"
                    + loop.name() + "'; hand it over with loop.execute(...)");
        }
    }
}
