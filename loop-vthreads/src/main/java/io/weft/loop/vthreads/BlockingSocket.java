package io.weft.loop.vthreads;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.Timer;
import io.weft.loop.core.net.CloseReason;
import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.StreamConnection;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.loop.core.net.tls.TlsConnection;
import io.weft.loop.core.net.tls.TlsFailureException;
import io.weft.loop.core.net.tls.TlsHandler;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import javax.net.ssl.SSLSession;

/**
 * A TCP connection, plain or TLS, with blocking-style reads and writes for virtual threads: a call
 * that cannot proceed parks the thread until the loop's watcher or timer resumes it. Built on the
 * loop's stream contract ({@link StreamConnection}: a {@link TcpConnection}, or a {@link
 * TlsConnection} over one), so it runs on any backend.
 *
 * <p><b>TLS.</b> {@link #connect(EventLoop, SocketAddress, String, TcpOptions, TlsConfig)} and
 * a {@link BlockingServerSocket} listening with a {@link TlsConfig} give sockets whose reads and
 * writes are plaintext; the handshake runs on the loop (the engine's delegated tasks on the
 * config's executor) and is over before the socket is returned. {@link #tlsSession()} and {@link
 * #applicationProtocol()} tell what was negotiated. The peer's close_notify is end of stream ({@link
 * #read} returns -1; over TLS 1.3 this side may still write, a TLS 1.2 session closes both ways, as
 * the JDK's engine does); {@link #shutdownOutput()} sends close_notify, then FIN; {@link #close()}
 * sends close_notify before its FIN. A peer that ends TCP without close_notify is a truncation:
 * after the bytes received, {@link #read} throws a {@link SocketException} naming it, whose cause is
 * a {@link TlsFailureException}, never -1.
 *
 * <p><b>Threads.</b> Use it from virtual threads (a platform thread also works, but is held while
 * it waits; the loop's own thread must never call the blocking methods). One reader and one writer
 * at a time; {@link #close()} from any thread. The socket's state lives on its loop: a thread
 * carried by that loop ({@link Carrier#LOOP}) counts as the loop thread while it runs, so it reads
 * and writes the connection directly and parks only to wait; any other thread hands each request to
 * the loop with {@code execute} and parks.
 *
 * <p><b>Semantics</b>, as {@link java.net.Socket} on a virtual thread:
 * <ul>
 * <li>End of stream: {@link #read} returns -1 (the socket can still write: the peer only half-closed).
 * <li>Peer reset: {@link SocketException} "Connection reset" (bytes already received are read first).
 * <li>{@link #close()} from another thread: a parked reader or writer gets {@link SocketException}
 *     "Socket closed"; so does every later call. Queued writes are still flushed.
 * <li>{@link Thread#interrupt()} of a parked reader or writer closes the socket (at once, dropping
 *     queued writes) and throws {@link SocketException} "Closed by interrupt" with the interrupt
 *     status set, which is what {@code java.net.Socket} does on a virtual thread.
 * <li>Read timeout ({@link #setReadTimeout}): {@link SocketTimeoutException}; the socket stays usable.
 * <li>Write timeout ({@link #setWriteTimeout}): {@link SocketTimeoutException}; the bytes before
 *     {@code src.position()} were queued, the rest not; the socket stays open.
 * <li>Loop shut down: parked and later calls get {@link SocketException} naming the loop.
 * </ul>
 *
 * <p><b>Memory.</b> Writes park while the connection is above its high watermark, and queue at
 * most up to it (plus one chunk). Reads buffer at most {@value #MAX_INBOUND} bytes that no one read
 * yet; above that the socket stops reading and TCP flow control slows the peer. A connection that
 * waits for its next request need not hold a parked thread at all: {@link #resumeOnInput} lets the
 * thread end and starts a fresh one when input comes, so an idle socket costs its objects only.
 */
public final class BlockingSocket implements Closeable {
    /** Bytes received and not yet read above which reading pauses. */
    static final int MAX_INBOUND = 64 * 1024;
    private static final int RESUME_BELOW = MAX_INBOUND / 4;

    // The loop the connection lives on: known at connect, learned in onOpen for an accepted one
    // (a group's acceptor may ask for the handler on another loop). Published with the socket.
    private EventLoop loop;
    private final TcpOptions options;
    private final Handler handler = new Handler();
    /** What the TLS handshake settled, read once on the loop; null for plain TCP. */
    private volatile SSLSession session;
    private volatile String applicationProtocol = "";
    private final Runnable resumeReading = this::resumeReadingOnLoop;
    private final java.util.function.Supplier<SocketException> loopClosed = () -> loopClosed(loop, null);
    private final Runnable closeByInterrupt = () -> {
        closeRequested = true;
        onLoop(() -> closeOnLoop("Closed by interrupt", true));
    };
    private volatile boolean closeRequested;
    private volatile long readTimeoutNanos;
    private volatile long writeTimeoutNanos;
    private volatile int available;
    private final InputStream in = new SocketInput();
    private final OutputStream out = new SocketOutput();

    // Loop-confined: touched on the loop thread, or by a thread the loop carries.
    private StreamConnection connection;
    private ByteBuffer inbound; // read mode; null when empty
    private boolean eof;
    private boolean closed;
    private boolean readPaused;
    private String closedMessage;
    private Throwable closedCause;
    private Waiter reader;
    private Waiter writer;
    private boolean outputShut;
    private BlockingServerSocket acceptedBy;
    // A resumption (resumeOnInput) waiting for input: no thread, no buffer; null threads when none.
    private VirtualThreads resumeThreads;
    private Runnable resumeTask;
    private Timer resumeTimer;
    /** The read timeout passed while a resumption waited: the next read that finds nothing throws it. */
    private boolean readTimedOut;
    private final Runnable resumptionTimedOut = () -> {
        resumeTimer = null;
        readTimedOut = true;
        resume();
    };

    private BlockingSocket(EventLoop loop, TcpOptions options) {
        this.loop = loop;
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A socket for a connection the server accepts; {@code server} learns of it in onOpen. */
    static BlockingSocket accepting(EventLoop loopHint, TcpOptions options, BlockingServerSocket server) {
        return new BlockingSocket(loopHint, options).acceptedBy(server); // the real loop comes with onOpen
    }

    private BlockingSocket acceptedBy(BlockingServerSocket server) {
        this.acceptedBy = server;
        return this;
    }

    /** The loop-side handler of a plain TCP connection. */
    ConnectionHandler tcpHandler() {
        return handler;
    }

    /** The loop-side handler of a TLS connection. */
    TlsHandler tlsHandler() {
        return handler;
    }

    /**
     * Connects to {@code address} on {@code loop}, parking the calling thread until the connection
     * is established.
     *
     * @param loop the loop that carries the connection
     * @param address a resolved {@link java.net.InetSocketAddress}, or a {@link java.net.UnixDomainSocketAddress}
     * @param options the connection's options (watermarks, idle timeout)
     * @return the connected socket
     * @throws IllegalArgumentException as for {@link TcpConnection#connect}
     * @throws java.net.ConnectException or another {@link IOException} if the connect fails
     * @throws SocketException "Closed by interrupt" if interrupted while connecting (status set)
     * @throws IllegalStateException if called on the loop's own thread
     */
    public static BlockingSocket connect(EventLoop loop, SocketAddress address, TcpOptions options) throws IOException {
        return connect(loop, address, options, socket -> TcpConnection.connect(loop, address, options, socket.handler));
    }

    /**
     * Connects to {@code address} on {@code loop} and handshakes TLS as a client, parking the
     * calling thread until the handshake is over. {@code serverName} is sent as SNI (unless it is
     * an IP literal) and, with {@link TlsConfig#hostnameVerification()} (the default), must match
     * the server's certificate; null means the host string of an {@link java.net.InetSocketAddress}.
     * A {@link java.net.UnixDomainSocketAddress} has no host, so it needs a server name.
     *
     * @param loop the loop the connection lives on
     * @param address a resolved {@link java.net.InetSocketAddress}, or a {@link java.net.UnixDomainSocketAddress}
     * @param serverName the name the server's certificate must be for, or null for the address's host (TCP only)
     * @param options the connection's options (watermarks, idle timeout)
     * @param tls protocols, trusted certificates, ALPN, hostname verification
     * @return the connected socket, its handshake over
     * @throws TlsFailureException if the handshake fails (an untrusted certificate, a name that does
     *     not match, no common protocol...), saying which
     * @throws java.net.ConnectException or another {@link IOException} if the connect fails
     * @throws SocketException "Closed by interrupt" if interrupted while connecting (status set)
     * @throws IllegalStateException if called on the loop's own thread
     * @throws IllegalArgumentException as for {@link TlsConnection#connect}, e.g. no server name for a
     *     Unix domain socket
     */
    public static BlockingSocket connect(EventLoop loop, SocketAddress address, String serverName,
            TcpOptions options, TlsConfig tls) throws IOException {
        Objects.requireNonNull(tls, "tls");
        return connect(loop, address, options,
                socket -> TlsConnection.connect(loop, address, serverName, options, tls, socket.handler));
    }

    private static BlockingSocket connect(EventLoop loop, SocketAddress address, TcpOptions options,
            Function<BlockingSocket, CompletableFuture<? extends StreamConnection>> opener) throws IOException {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(address, "address");
        VirtualThreads.checkNotLoopThread(loop, "connect");
        BlockingSocket socket = new BlockingSocket(loop, options);
        CompletableFuture<? extends StreamConnection> connected;
        try {
            connected = opener.apply(socket);
        } catch (RejectedExecutionException e) {
            throw loopClosed(loop, e);
        }
        Waiter waiter = new Waiter(null, () -> loopClosed(loop, null));
        ParkedThreads parked = ParkedThreads.of(loop);
        parked.add(waiter);
        boolean interrupted;
        try {
            connected.whenComplete((c, e) -> waiter.complete(0L));
            interrupted = waiter.park(() -> waiter.fail(new SocketException("Closed by interrupt")));
        } finally {
            parked.remove(waiter);
        }
        if (interrupted) {
            socket.close();
            Thread.currentThread().interrupt();
            throw new SocketException("Closed by interrupt");
        }
        if (waiter.failure() instanceof IOException e) {
            socket.close();
            throw e;
        }
        try {
            connected.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("connect to " + address + " failed", e.getCause());
        } catch (InterruptedException e) {
            throw new AssertionError("the future is done", e);
        }
        return socket;
    }

    // ------------------------------------------------------------------ options

    /** {@return the loop the connection lives on} */
    public EventLoop loop() {
        return loop;
    }

    /**
     * The TLS session the handshake settled (protocol, cipher suite, peer certificates). Any thread.
     *
     * @return the session, or empty for a plain TCP socket
     */
    public Optional<SSLSession> tlsSession() {
        return Optional.ofNullable(session);
    }

    /**
     * The application protocol ALPN chose. Any thread.
     *
     * @return the protocol, or the empty string when none was negotiated (or the socket is plain TCP)
     */
    public String applicationProtocol() {
        return applicationProtocol;
    }

    /**
     * How long {@link #read} may park before {@link SocketTimeoutException}; zero (the default) for ever.
     *
     * @param timeout the read timeout, zero or more
     */
    public void setReadTimeout(Duration timeout) {
        readTimeoutNanos = checkTimeout(timeout);
    }

    /**
     * How long {@link #write} may park for writability before {@link SocketTimeoutException}; zero for ever.
     *
     * @param timeout the write timeout, zero or more
     */
    public void setWriteTimeout(Duration timeout) {
        writeTimeoutNanos = checkTimeout(timeout);
    }

    private static long checkTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be >= 0 (0 = none), got " + timeout);
        }
        return timeout.toNanos();
    }

    /** {@return the read timeout; zero for none} */
    public Duration readTimeout() {
        return Duration.ofNanos(readTimeoutNanos);
    }

    /** {@return the write timeout; zero for none} */
    public Duration writeTimeout() {
        return Duration.ofNanos(writeTimeoutNanos);
    }

    /** {@return whether {@link #close()} was called (or an interrupt closed it)} */
    public boolean isClosed() {
        return closeRequested;
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads into {@code dst}, parking until at least one byte is there.
     *
     * @param dst the buffer to fill from its position; its position advances by the bytes read
     * @return the number of bytes read, or -1 at end of stream
     * @throws SocketException "Socket closed", "Connection reset", "Closed by interrupt", or the loop shut down
     * @throws SocketTimeoutException if the read timeout passes first (the socket stays usable)
     */
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        if (closeRequested) {
            throw socketClosed();
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (loop.inLoop()) {
            // Fast path: this thread runs as the loop thread, so the state is ours to read; no hand-off.
            checkNotLoopPlatformThread();
            int n = readNow(dst);
            if (n != 0) {
                return n;
            }
            Waiter waiter = carriedWaiter(dst);
            installReader(waiter);
            return (int) awaitInstalled(waiter);
        }
        Waiter waiter = new Waiter(dst, loopClosed);
        handOff(waiter, () -> {
            int n;
            try {
                n = readNow(dst);
            } catch (IOException e) {
                waiter.fail(e);
                return;
            }
            if (n != 0) {
                waiter.complete(n);
            } else {
                installReader(waiter);
            }
        });
        return (int) awaitIo(waiter);
    }

    /** Loop side: what can be read without waiting; 0 means wait. */
    private int readNow(ByteBuffer dst) throws IOException {
        if (inbound != null) {
            readTimedOut = false; // input came after all
            int n = copy(inbound, dst);
            if (!inbound.hasRemaining()) {
                inbound = null;
            }
            available = inbound == null ? 0 : inbound.remaining();
            if (readPaused && available < RESUME_BELOW && !closed) {
                readPaused = false;
                if (loop.inLoop()) {
                    connection.resumeReading();
                } else {
                    try {
                        loop.execute(resumeReading); // not the loop thread (the orphans thread)
                    } catch (RejectedExecutionException e) {
                        // shutting down: nothing more to read anyway
                    }
                }
            }
            return n;
        }
        if (eof) {
            return -1;
        }
        if (closed) {
            throw closedException();
        }
        checkNoReader();
        if (readTimedOut) {
            readTimedOut = false;
            throw new SocketTimeoutException("Read timed out");
        }
        return 0;
    }

    private void checkNoReader() {
        if (reader != null) {
            throw new IllegalStateException("another thread is already reading this socket; one reader at a time");
        }
        if (resumeThreads != null) {
            throw new IllegalStateException("this socket waits for input to resume a task (resumeOnInput);"
                    + " that task reads it, no other thread");
        }
    }

    private void installReader(Waiter waiter) {
        reader = waiter;
        long timeout = readTimeoutNanos;
        if (timeout > 0) {
            VirtualThreads.arm(loop, waiter, Duration.ofNanos(timeout), () -> {
                if (reader == waiter) {
                    reader = null;
                    waiter.fail(new SocketTimeoutException("Read timed out"));
                }
            });
        }
    }

    /**
     * Lets the calling thread end while the socket waits for input: once input, end of stream, a
     * reset or another error, a close (from any thread, or by the loop shutting down) or the read
     * timeout arrives, {@code task} runs on a new virtual thread of {@code threads} on this socket's
     * loop. Meanwhile no thread and no read buffer is held for the socket. The task reads as any
     * reader does: the bytes (none lost, none reordered), -1, or the exception; after the read
     * timeout its first read that finds nothing throws {@link SocketTimeoutException} (the socket
     * stays usable). Input that arrived before the call runs the task at once. The decision is
     * made on the loop thread, so no arrival can slip between "nothing buffered" and the wait.
     *
     * <p>A normal return means the task will run, exactly once; the caller must then leave the
     * socket to it (return, and neither read nor write any more). An exception means it will not.
     * On the loop carrier, a task woken on the loop's own thread (its input arrived) runs at once,
     * inside that callback, as a parked reader would; woken elsewhere, it runs in the loop's next
     * callbacks phase. A thread the loop carries registers directly; any other thread hands the
     * registration to the loop and parks until it is made. The loop's own platform thread may call
     * it too (it does not block).
     *
     * <p>Typical use: a request-response server calls it at a request boundary, with nothing left
     * buffered ({@code getInputStream().available() == 0}), instead of blocking in a read, so an
     * idle keep-alive connection costs its connection objects only.
     *
     * @param threads the virtual threads to start the task on; one of their loops must be this socket's
     * @param task what to run once the socket has something for a reader
     * @throws SocketException "Socket closed" if this side closed the socket, or the loop shut down
     * @throws IllegalStateException if a resumption already waits on this socket, or another thread
     *     is parked reading it
     * @throws IllegalArgumentException if {@code threads} does not run threads on this socket's loop
     */
    public void resumeOnInput(VirtualThreads threads, Runnable task) throws IOException {
        Objects.requireNonNull(threads, "threads");
        Objects.requireNonNull(task, "task");
        if (!threads.loops().contains(loop)) {
            throw new IllegalArgumentException(threads.loops() + " do not include this socket's loop '" + loop.name()
                    + "'; use VirtualThreads.forLoop(socket.loop(), ...) or a group that contains it");
        }
        if (closeRequested) {
            throw socketClosed();
        }
        if (loop.inLoop()) {
            awaitInputOnLoop(threads, task);
            return;
        }
        Waiter waiter = new Waiter(null, loopClosed);
        handOff(waiter, () -> {
            try {
                awaitInputOnLoop(threads, task);
            } catch (IllegalStateException e) {
                waiter.fail(e); // the caller's misuse: thrown there, not logged by the loop
                return;
            }
            waiter.complete(0L);
        });
        awaitIo(waiter);
    }

    /** Loop side: runs the task now if a reader would not wait, or keeps it for the first arrival. */
    private void awaitInputOnLoop(VirtualThreads threads, Runnable task) {
        checkNoReader();
        resumeThreads = threads;
        resumeTask = task;
        readTimedOut = false; // a new wait
        if (inbound != null || eof || closed) {
            resume();
            return;
        }
        long timeout = readTimeoutNanos;
        if (timeout > 0) {
            resumeTimer = VirtualThreads.scheduleAtLeast(loop, Duration.ofNanos(timeout), resumptionTimedOut);
        }
    }

    /** Loop side: starts the waiting resumption, if any (last in a callback: it may run right here). */
    private void resume() {
        VirtualThreads threads = resumeThreads;
        if (threads == null) {
            return;
        }
        Runnable task = resumeTask;
        Timer timer = resumeTimer;
        resumeThreads = null;
        resumeTask = null;
        resumeTimer = null;
        if (timer != null) {
            timer.cancel();
        }
        threads.startResumed(loop, task);
    }

    private void resumeReadingOnLoop() {
        if (!closed && !readPaused && connection.isReadingPaused()) {
            connection.resumeReading();
        }
    }

    private static int copy(ByteBuffer from, ByteBuffer to) {
        int n = Math.min(from.remaining(), to.remaining());
        to.put(to.position(), from, from.position(), n);
        to.position(to.position() + n);
        from.position(from.position() + n);
        return n;
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes all of {@code src}, parking while the connection is above its high watermark. Returns
     * when the bytes are queued on the connection (as a JDK socket returns when they are in the
     * kernel's buffer); they go out in order, before a {@link #close()}'s FIN.
     *
     * @param src the bytes to write, from its position to its limit; consumed
     * @throws SocketException "Socket closed", "Connection reset", "Closed by interrupt", or the loop shut down
     * @throws SocketTimeoutException if the write timeout passes while unwritable
     */
    public void write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        if (closeRequested) {
            throw socketClosed();
        }
        if (!src.hasRemaining()) {
            return;
        }
        if (loop.inLoop()) {
            // Fast path: this thread runs as the loop thread; it writes to the connection itself
            // and parks only while the connection is above its high watermark.
            checkNotLoopPlatformThread();
            writeCarried(src);
            return;
        }
        Waiter waiter = new Waiter(src, loopClosed);
        handOff(waiter, () -> writeOnLoop(waiter));
        awaitIo(waiter);
    }

    /** A thread this loop carries writes: as {@link #writeOnLoop}, without the hand-off. */
    private void writeCarried(ByteBuffer src) throws IOException {
        if (closed) {
            throw closedException();
        }
        if (outputShut) {
            throw outputShutdown();
        }
        if (writer != null) {
            throw new IllegalStateException("another thread is already writing this socket; one writer at a time");
        }
        if (!writeWhileWritable(src)) {
            throw closedException();
        }
        if (!src.hasRemaining()) {
            return;
        }
        Waiter waiter = carriedWaiter(src);
        installWriter(waiter); // writeOnLoop writes the rest once writable again
        awaitInstalled(waiter);
    }

    /**
     * Loop side: queues from {@code src} while the connection is writable, at most up to its high
     * watermark (plus one byte) in all; false if the connection is closed (or closing).
     */
    private boolean writeWhileWritable(ByteBuffer src) {
        int high = options.writeHighWatermark();
        while (src.hasRemaining() && connection.isWritable()) {
            if (closed || !connection.isOpen()) {
                return false;
            }
            long room = Math.max(1, high + 1L - connection.queuedBytes());
            if (src.remaining() <= room) {
                connection.write(src); // consumes it all; no slice
            } else {
                int chunk = (int) room;
                connection.write(src.slice(src.position(), chunk));
                src.position(src.position() + chunk);
            }
        }
        return !closed;
    }

    private void writeOnLoop(Waiter waiter) {
        if (closed || closeRequested) {
            if (writer == waiter) {
                writer = null;
            }
            waiter.fail(closedException());
            return;
        }
        if (outputShut) {
            waiter.fail(outputShutdown());
            return;
        }
        if (writer != null && writer != waiter) {
            waiter.fail(new IllegalStateException("another thread is already writing this socket; one writer at a time"));
            return;
        }
        ByteBuffer src = waiter.buffer;
        if (!writeWhileWritable(src)) {
            if (writer == waiter) {
                writer = null;
            }
            waiter.fail(closedException());
            return;
        }
        if (!src.hasRemaining()) {
            writer = null;
            waiter.complete(0L);
            return;
        }
        if (writer == waiter) {
            return; // still waiting; its timer runs on
        }
        installWriter(waiter);
    }

    private void installWriter(Waiter waiter) {
        writer = waiter;
        long timeout = writeTimeoutNanos;
        if (timeout > 0) {
            VirtualThreads.arm(loop, waiter, Duration.ofNanos(timeout), () -> {
                if (writer == waiter) {
                    writer = null;
                    waiter.fail(new SocketTimeoutException("Write timed out"));
                }
            });
        }
    }

    /**
     * Half-closes: the peer reads end of stream once the written bytes are flushed; this side can
     * still read.
     *
     * @throws IOException "Socket closed" if the socket is closed, or the loop shut down
     */
    public void shutdownOutput() throws IOException {
        runOnLoopAndWait(() -> {
            outputShut = true;
            connection.shutdownOutput();
        });
    }

    /**
     * Discards what was received and makes further reads return -1 at once.
     *
     * @throws IOException "Socket closed" if the socket is closed, or the loop shut down
     */
    public void shutdownInput() throws IOException {
        runOnLoopAndWait(() -> {
            eof = true;
            inbound = null;
            available = 0;
            resume();
        });
    }

    private void runOnLoopAndWait(Runnable action) throws IOException {
        if (closeRequested) {
            throw socketClosed();
        }
        if (loop.inLoop()) {
            checkNotLoopPlatformThread();
            if (closed) {
                throw closedException();
            }
            action.run();
            return;
        }
        Waiter waiter = new Waiter(null, loopClosed);
        handOff(waiter, () -> {
            if (closed) {
                waiter.fail(closedException());
                return;
            }
            action.run();
            waiter.complete(0L);
        });
        awaitIo(waiter);
    }

    // ------------------------------------------------------------------ streams

    /**
     * {@return an input stream over {@link #read}: -1 at end of stream, the same exceptions} Closing it
     * closes the socket.
     */
    public InputStream getInputStream() {
        return in;
    }

    /** {@return an output stream over {@link #write}; {@code flush} does nothing more} Closing it closes the socket. */
    public OutputStream getOutputStream() {
        return out;
    }

    private final class SocketInput extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            return BlockingSocket.this.read(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public int available() {
            return available;
        }

        @Override
        public void close() {
            BlockingSocket.this.close();
        }
    }

    private final class SocketOutput extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            BlockingSocket.this.write(ByteBuffer.wrap(new byte[] {(byte) b}));
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            BlockingSocket.this.write(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public void close() {
            BlockingSocket.this.close();
        }
    }

    // ------------------------------------------------------------------ closing

    /**
     * Closes the socket: queued writes are flushed, then the connection closes; a parked reader or
     * writer gets "Socket closed". Safe from any thread; idempotent.
     */
    @Override
    public void close() {
        if (closeRequested) {
            return;
        }
        closeRequested = true;
        onLoop(() -> closeOnLoop("Socket closed", false));
    }

    /** Closes at once, dropping queued writes (SO_LINGER 0 style: the peer may see a reset). Any thread. */
    public void abort() {
        closeRequested = true;
        onLoop(() -> closeOnLoop("Socket closed", true));
    }

    private void onLoop(Runnable action) {
        if (loop.inLoop()) {
            action.run();
            return;
        }
        try {
            loop.execute(action);
        } catch (RejectedExecutionException e) {
            // The loop is shutting down: it closes the connection and fails the waiters itself.
        }
    }

    private void closeOnLoop(String message, boolean abort) {
        if (!closed) {
            closed = true;
            closedMessage = message;
        }
        inbound = null;
        available = 0;
        failWaiters(new SocketException(message), new SocketException(message));
        if (connection != null) {
            if (abort) {
                connection.abort();
            } else {
                connection.close();
            }
        }
        resume(); // unless the connection's close did already: its task finds the socket closed
    }

    private void failWaiters(Throwable readerFailure, Throwable writerFailure) {
        Waiter r = reader;
        Waiter w = writer;
        reader = null;
        writer = null;
        if (r != null) {
            r.fail(readerFailure);
        }
        if (w != null) {
            w.fail(writerFailure);
        }
    }

    private IOException closedException() {
        if (closedCause instanceof IOException io && !(closedCause instanceof SocketException)) {
            SocketException e = new SocketException(closedMessage);
            e.initCause(io);
            return e;
        }
        return new SocketException(closedMessage == null ? "Socket closed" : closedMessage);
    }

    private static SocketException outputShutdown() {
        return new SocketException("Socket output is shutdown");
    }

    private static SocketException socketClosed() {
        return new SocketException("Socket closed");
    }

    static SocketException loopClosed(EventLoop loop, Throwable cause) {
        SocketException e = new SocketException("Socket closed: loop '" + loop.name() + "' has shut down");
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    // ------------------------------------------------------------------ parking

    /**
     * Called when {@code loop.inLoop()}: fine for a virtual thread the loop carries (it counts as
     * the loop thread while it runs), but the loop's own thread must never block.
     */
    private void checkNotLoopPlatformThread() {
        if (!Thread.currentThread().isVirtual()) {
            throw blocksLoop();
        }
    }

    /**
     * A waiter for a thread that runs as the loop thread and is about to park: it must really be a
     * thread this loop carries (not, say, a virtual thread that runs the loop itself).
     */
    private Waiter carriedWaiter(ByteBuffer buffer) {
        Waiter waiter = new Waiter(buffer, loopClosed);
        if (waiter.home == null || waiter.home.loop != loop) {
            throw blocksLoop();
        }
        return waiter;
    }

    private IllegalStateException blocksLoop() {
        return new IllegalStateException("blocking socket calls would block the thread of loop '" + loop.name()
                + "'; call them from a virtual thread (VirtualThreads.forLoop(loop, ...).start(...))");
    }

    /** Hands {@code action} to the loop; a loop that takes no more work fails the waiter at once. */
    private void handOff(Waiter waiter, Runnable action) throws SocketException {
        if (loop.inLoop()) {
            throw blocksLoop();
        }
        try {
            loop.execute(() -> {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    waiter.fail(e); // never leave the thread parked; the loop's handler logs it too
                    throw e;
                }
            });
        } catch (RejectedExecutionException e) {
            throw loopClosed(loop, e);
        }
    }

    /**
     * Parks until the waiter's outcome; an interrupt closes the socket, as a JDK socket does. The
     * waiter is known to the loop's {@link ParkedThreads} while it waits, so a loop that shuts down
     * before the handed-off request even runs still wakes it.
     */
    private long awaitIo(Waiter waiter) throws IOException {
        ParkedThreads parked = ParkedThreads.of(loop); // looked up here, by the waiting thread: never by the loop's
        parked.add(waiter);
        try {
            return outcome(waiter, waiter.park(closeByInterrupt));
        } finally {
            parked.remove(waiter);
        }
    }

    /**
     * As {@link #awaitIo}, for a waiter a loop-carried thread installed itself, on the loop: the
     * connection holds it, and a loop that shuts down closes the connection, whose close fails it.
     * So it needs no {@link ParkedThreads} entry (two concurrent-set operations per park saved).
     */
    private long awaitInstalled(Waiter waiter) throws IOException {
        return outcome(waiter, waiter.park(closeByInterrupt));
    }

    private static long outcome(Waiter waiter, boolean interrupted) throws IOException {
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable failure = waiter.failure();
        if (failure == null) {
            return waiter.count();
        }
        if (failure instanceof IOException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        throw new IOException(failure);
    }

    /** For tests: the bytes queued on the connection, read on the loop. */
    CompletableFuture<Long> queuedBytes() {
        CompletableFuture<Long> queued = new CompletableFuture<>();
        loop.execute(() -> queued.complete(connection.queuedBytes()));
        return queued;
    }

    @Override
    public String toString() {
        return "BlockingSocket[" + loop.name() + (closeRequested ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ loop side


    /**
     * The connection's callbacks, on the loop thread. One handler serves both transports: each
     * callback of {@link ConnectionHandler} and of {@link TlsHandler} forwards to the one method
     * written against {@link StreamConnection}.
     */
    private final class Handler implements ConnectionHandler, TlsHandler {
        @Override
        public void onOpen(TcpConnection c) {
            opened(c);
        }

        @Override
        public void onOpen(TlsConnection c) {
            session = c.session(); // read here, on the loop: no other thread ever touches the engine
            applicationProtocol = c.applicationProtocol();
            opened(c);
        }

        @Override
        public void onRead(TcpConnection c, ByteBuffer data) {
            received(c, data);
        }

        @Override
        public void onRead(TlsConnection c, ByteBuffer data) {
            received(c, data);
        }

        @Override
        public void onWritabilityChanged(TcpConnection c, boolean writable) {
            writabilityChanged(writable);
        }

        @Override
        public void onWritabilityChanged(TlsConnection c, boolean writable) {
            writabilityChanged(writable);
        }

        @Override
        public void onInputClosed(TcpConnection c) {
            inputClosed();
        }

        /** The peer's close_notify; a TLS 1.2 engine has answered with its own, so the connection closes too. */
        @Override
        public void onInputClosed(TlsConnection c) {
            inputClosed();
            if (!"TLSv1.3".equals(session.getProtocol())) {
                c.close();
            }
        }

        @Override
        public void onClose(TcpConnection c, CloseReason reason, Throwable cause) {
            connectionClosed(reason, cause);
        }

        @Override
        public void onClose(TlsConnection c, CloseReason reason, Throwable cause) {
            connectionClosed(reason, cause);
        }

        private void opened(StreamConnection c) {
            connection = c;
            loop = c.loop();
            if (closeRequested) {
                c.abort(); // closed (or interrupted) while connecting
                return;
            }
            if (acceptedBy != null) {
                acceptedBy.offer(BlockingSocket.this);
            }
        }

        private void received(StreamConnection c, ByteBuffer data) {
            if (closed) {
                data.position(data.limit());
                return;
            }
            Waiter waiting = reader;
            int n = 0;
            if (waiting != null) {
                reader = null;
                n = copy(data, waiting.buffer); // a reader waits only when nothing was buffered
            }
            if (data.hasRemaining()) {
                // A resumed task takes the bytes at once: a buffer of their size. A reader yet to
                // come may find more: room for them.
                append(data, resumeThreads != null ? 0 : 8192);
            }
            if (available > MAX_INBOUND && !readPaused) {
                readPaused = true;
                c.pauseReading();
            }
            if (waiting != null) {
                waiting.complete(n); // last: the reader may run right here, in this callback
            }
            resume(); // last too, for the same reason (no reader waits when a resumption does)
        }

        private void append(ByteBuffer data, int minCapacity) {
            if (inbound == null) {
                inbound = ByteBuffer.allocate(Math.max(data.remaining(), minCapacity));
            } else {
                inbound.compact();
                if (inbound.remaining() < data.remaining()) {
                    ByteBuffer bigger = ByteBuffer.allocate(Math.max(inbound.capacity() * 2, inbound.position() + data.remaining()));
                    inbound = bigger.put(inbound.flip());
                }
            }
            inbound.put(data).flip();
            available = inbound.remaining();
        }

        private void writabilityChanged(boolean writable) {
            if (writable && writer != null) {
                Waiter waiting = writer;
                // Not from inside the connection's flush: write again as a callback of its own.
                loop.execute(() -> {
                    if (writer == waiting) {
                        writeOnLoop(waiting);
                    }
                });
            }
        }

        private void inputClosed() {
            eof = true; // a JDK socket reads -1 and can still write: no close here
            Waiter waiting = reader;
            if (waiting != null) {
                reader = null;
                waiting.complete(-1L);
            }
            resume();
        }

        private void connectionClosed(CloseReason reason, Throwable cause) {
            if (!closed) {
                closed = true;
                closedCause = cause;
                closedMessage = switch (reason) {
                    case RESET -> "Connection reset";
                    case LOOP_CLOSED -> "Socket closed: loop '" + loop.name() + "' has shut down";
                    case IDLE_TIMEOUT -> "Socket closed: idle for " + options.idleTimeout();
                    case ERROR -> cause == null ? "Socket closed after an error" : String.valueOf(cause.getMessage());
                    case PEER_CLOSED, LOCAL_CLOSE -> "Socket closed";
                };
            }
            Waiter r = reader;
            Waiter w = writer;
            reader = null;
            writer = null;
            // Last, as each may run its thread right here.
            if (r != null) {
                if (eof && reason != CloseReason.RESET) {
                    r.complete(-1L);
                } else {
                    r.fail(closedException());
                }
            }
            if (w != null) {
                w.fail(closedException());
            }
            resume();
        }
    }
}
