package io.weft.loop.core.net.tls;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.Timer;
import io.weft.loop.core.net.CloseReason;
import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.StreamConnection;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.WriteCompletion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * One TLS connection: the JDK's {@link SSLEngine} over a {@link TcpConnection}, on its loop. The
 * {@link TlsHandler} sees plaintext; the API mirrors {@link TcpConnection}'s.
 *
 * <p><b>Threads.</b> Every method is loop-thread only and fails fast elsewhere. The handshake runs
 * on the loop; the engine's delegated tasks (certificate checks, key exchange) run on {@link
 * TlsConfig#delegatedTaskExecutor()}, while the connection unwraps nothing (what arrives meanwhile
 * is kept, and reading stops), and never block the loop. A handshake flight leaves in one TCP write.
 * A handshake that does not finish within {@link TlsConfig#handshakeTimeout()} (on the loop's
 * clock) fails.
 *
 * <p><b>Writes and memory.</b> {@link #write} encrypts into records and queues them on the TCP
 * connection, so the encrypted bytes count against its watermarks: {@link #isWritable()} and
 * {@link TlsHandler#onWritabilityChanged} are the TCP connection's. Outside {@link
 * TlsHandler#onRead} a write is encrypted at once. Inside it, the plaintext of the handler's writes
 * (without a completion) is gathered and encrypted when {@code onRead} returns, up to 16 KiB (a
 * full record) at a time, in order: the n responses to n pipelined requests leave as one record,
 * not n records, each with its own header, tag and cipher call. {@link #close()}, {@link
 * #shutdownOutput()} and a write with a completion encrypt what was gathered first. The engine's
 * buffers are shared by all connections of the loop; an idle connection keeps only its engine and
 * the plaintext its handler left unconsumed.
 *
 * <p><b>Closing.</b> {@link #close()} sends close_notify, then closes TCP gracefully (flush, FIN,
 * linger). The peer's close_notify is {@link TlsHandler#onInputClosed}. The peer's TCP FIN without
 * close_notify is a truncation: the connection closes with a {@link TlsFailureException} of {@link
 * TlsFailure#TRUNCATION}. {@link #shutdownOutput()} half-closes: close_notify, then FIN, and reading
 * goes on (TLS 1.3; a TLS 1.2 peer usually answers with its own close_notify and closes).
 *
 * <p><b>Failures.</b> Bad input (not TLS, bad records), certificate failures, handshake timeouts,
 * renegotiation attempts (refused) and truncation close this connection only, after sending the
 * engine's alert if it has one; they are counted in {@link TlsStats} by {@link TlsFailure} and
 * reported to {@link TlsHandler#onClose} as a {@link TlsFailureException}. Plaintext never reaches
 * a log or another connection.
 */
public final class TlsConnection implements StreamConnection {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final TlsConfig config;
    private final SSLEngine engine;
    private final TlsHandler handler;
    private final Transport transport = new Transport();
    /** The loop's shared buffers and counters; null until TCP is up. */
    private TlsLoopBuffers buffers;
    private TcpConnection tcp;
    private CompletableFuture<TlsConnection> connected;
    private Timer handshakeTimer;
    private long handshakeStart;
    /** The handshake finished and the handler was told. */
    private boolean opened;
    /** The session is older than TLS 1.3: any handshake after the first is a renegotiation. */
    private boolean renegotiable;
    /** The engine's delegated tasks run: nothing is unwrapped until they are done. */
    private boolean tasksRunning;
    private boolean readPaused;
    /**
     * TCP keeps records this connection did not unwrap yet, because reading paused or tasks ran,
     * and hands them back once reading resumes; the peer's end of stream is judged after them.
     */
    private boolean recordsHeld;
    /** TCP read the peer's end of stream (FIN). */
    private boolean tcpEnded;
    /** close(), abort() or a failure: no more input is delivered and no more writes are taken. */
    private boolean closing;
    private boolean closed;
    private TlsFailureException failure;
    /**
     * Why this side closed the connection for a reason other than TLS: the handler left too much
     * unconsumed, or threw from a callback this connection ran outside TCP's.
     */
    private Throwable localError;
    /** While the handler's onRead runs: the loop's buffer gathering its writes (write mode); else null. */
    private ByteBuffer gathered;
    /** Plaintext the handler left unconsumed, in read mode; null when there is none. */
    private ByteBuffer plaintextLeft;
    private Object attachment;

    private TlsConnection(TlsConfig config, SSLEngine engine, TlsHandler handler) {
        this.config = config;
        this.engine = engine;
        this.handler = handler;
    }

    private static SSLEngine clientEngine(TlsConfig config, SocketAddress address, String serverName) {
        if (address instanceof InetSocketAddress inet) {
            return config.newClientEngine(serverName != null ? serverName : inet.getHostString(), inet.getPort());
        }
        if (serverName == null) {
            throw new IllegalArgumentException("a TLS connect to " + address + " needs a serverName: the address names"
                    + " no host to verify the certificate against");
        }
        return config.newClientEngine(serverName, -1);
    }

    /** The TCP handler of a server-side connection for {@code handler}. */
    static ConnectionHandler accepting(TlsConfig config, TlsHandler handler) {
        return new TlsConnection(config, config.newServerEngine(), Objects.requireNonNull(handler, "handler")).transport;
    }

    /**
     * Connects to {@code address} and handshakes as a client; safe from any thread. {@code
     * serverName} is sent as SNI (unless it is an IP literal) and, with {@link
     * TlsConfig#hostnameVerification()}, must match the server's certificate; null means {@code
     * address.getHostString()}; over a {@link java.net.UnixDomainSocketAddress}, which names no
     * host, it must be given. The future completes on the loop thread after {@link
     * TlsHandler#onOpen}, or fails with why the connect or handshake failed (then the handler's
     * {@code onClose} reports it too, if a socket was opened). Cancelling the future before it
     * completes aborts the connection.
     *
     * @param loop the loop the connection lives on
     * @param address a resolved {@link InetSocketAddress}, or a {@link java.net.UnixDomainSocketAddress}
     * @param serverName the name to verify and send as SNI; null for the address's host (TCP only)
     * @param options the connection's options
     * @param config the TLS configuration
     * @param handler the connection's handler, called on the loop thread
     * @return a future of the connection, completed once the handshake is done
     * @throws IllegalArgumentException as {@link TcpConnection#connect}, or if {@code serverName} is null
     *     for a Unix domain socket
     */
    public static CompletableFuture<TlsConnection> connect(EventLoop loop, SocketAddress address, String serverName,
            TcpOptions options, TlsConfig config, TlsHandler handler) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(handler, "handler");
        TlsConnection connection = new TlsConnection(config, clientEngine(config, address, serverName), handler);
        CompletableFuture<TlsConnection> future = new CompletableFuture<>();
        connection.connected = future;
        CompletableFuture<TcpConnection> tcpConnected = TcpConnection.connect(loop, address, options, connection.transport);
        tcpConnected.whenComplete((ignored, failed) -> {
            if (failed != null) {
                future.completeExceptionally(failed);
            }
        });
        future.whenComplete((ignored, failed) -> {
            if (future.isCancelled()) {
                tcpConnected.cancel(false);
                try {
                    loop.execute(connection::abortHandshake);
                } catch (RejectedExecutionException loopClosed) {
                    // the loop closed the connection already
                }
            }
        });
        return future;
    }

    // ------------------------------------------------------------------ public API

    /** The loop this connection lives on; null while a client's TCP connect is under way. */
    public EventLoop loop() {
        return tcp == null ? null : tcp.loop();
    }

    /** {@return the TLS session: protocol, cipher suite, peer certificates (loop thread or not; the engine is thread-safe)} */
    public SSLSession session() {
        return engine.getSession();
    }

    /** {@return the application protocol ALPN chose, or the empty string when none was negotiated} */
    public String applicationProtocol() {
        String protocol = engine.getApplicationProtocol();
        return protocol == null ? "" : protocol;
    }

    /**
     * Encrypts the remaining bytes of {@code data} (consuming them) and queues the records on the
     * TCP connection, which flushes them as {@link TcpConnection#write(ByteBuffer)} does. Loop
     * thread only.
     *
     * @throws IllegalStateException if the connection is closing or closed, or its output was shut down
     */
    public void write(ByteBuffer data) {
        write0(data, null);
    }

    /**
     * Like {@link #write(ByteBuffer)}, and calls {@code completion} on the loop thread once the
     * records of these bytes all reached the kernel, or with the cause once they never will.
     *
     * @param data the plaintext to send, from its position to its limit; consumed
     * @param completion told once these bytes are with the kernel, or why they never will be
     */
    public void write(ByteBuffer data, WriteCompletion completion) {
        write0(data, Objects.requireNonNull(completion, "completion; use write(data) for a write nobody waits for"));
    }

    private void write0(ByteBuffer data, WriteCompletion completion) {
        Objects.requireNonNull(data, "data");
        checkLoop("write");
        if (closing || !tcp.isOpen() || engine.isOutboundDone()) {
            throw new IllegalStateException("cannot write: TLS connection is "
                    + (closing || !tcp.isOpen() ? "closed" : "shut down for output (close_notify sent)")
                    + "; check isOpen() first");
        }
        if (gathered != null && completion == null) {
            if (data.remaining() > gathered.remaining()) {
                encryptGathered();
            }
            if (gathered != null && data.remaining() <= gathered.remaining()) {
                gathered.put(data);
                return;
            }
        }
        encryptGathered();
        if (closing) { // encrypting what was gathered failed the engine just now
            failCompletion(completion);
            return;
        }
        wrap(data, completion);
    }

    /** Encrypts and queues the plaintext gathered in this onRead call so far, if any. */
    private void encryptGathered() {
        if (gathered != null && gathered.position() > 0) {
            ByteBuffer plaintext = gathered.flip();
            boolean encrypted = wrap(plaintext, null);
            plaintext.clear();
            if (!encrypted) {
                gathered = null; // the engine closed or failed: nothing more is gathered
            }
        }
    }

    /** Whether the queued encrypted bytes are below the TCP connection's high watermark. */
    public boolean isWritable() {
        return tcp.isWritable();
    }

    /**
     * Encrypted bytes queued and not yet taken by the OS, plus the plaintext written during the
     * current {@link TlsHandler#onRead} call and not yet encrypted.
     */
    public long queuedBytes() {
        return tcp.queuedBytes() + (gathered == null ? 0 : gathered.position());
    }

    /** Stops reading until {@link #resumeReading()}; the peer is slowed by TCP flow control. */
    public void pauseReading() {
        checkLoop("pauseReading");
        readPaused = true;
        syncTcpReading();
    }

    /** Resumes reading; plaintext the handler left unconsumed is handed to it again soon. */
    public void resumeReading() {
        checkLoop("resumeReading");
        if (!readPaused) {
            return;
        }
        readPaused = false;
        syncTcpReading();
        if (plaintextLeft != null) {
            tcp.loop().execute(transport);
        }
    }

    /** Whether reading is paused by {@link #pauseReading()}. */
    public boolean isReadingPaused() {
        return readPaused;
    }

    /**
     * Half-closes: sends close_notify, then FIN once the queued writes are flushed; reading goes on.
     * Further writes fail. Idempotent.
     */
    public void shutdownOutput() {
        checkLoop("shutdownOutput");
        if (closing || engine.isOutboundDone()) {
            return;
        }
        encryptGathered();
        engine.closeOutbound();
        if (wrap(EMPTY, null) || engine.isOutboundDone()) {
            tcp.shutdownOutput();
        }
    }

    /**
     * Closes gracefully: stops delivering input, sends close_notify after the queued writes, then
     * closes the TCP connection as {@link TcpConnection#close()} does. Idempotent.
     */
    public void close() {
        checkLoop("close");
        if (closing) {
            return;
        }
        encryptGathered();
        closing = true;
        if (!engine.isOutboundDone()) {
            engine.closeOutbound();
            wrap(EMPTY, null);
        }
        tcp.close();
    }

    /** Closes at once with a TCP reset, without close_notify; queued writes fail. */
    public void abort() {
        checkLoop("abort");
        closing = true;
        tcp.abort();
    }

    /** Whether the handshake finished and the connection is neither closing nor closed. */
    public boolean isOpen() {
        return opened && !closing && tcp.isOpen();
    }

    /**
     * The local address, as {@link TcpConnection#localAddress()}.
     *
     * @return the local address, or null if the OS no longer knows it
     */
    public SocketAddress localAddress() {
        return tcp.localAddress();
    }

    /**
     * The peer's address, as {@link TcpConnection#remoteAddress()}.
     *
     * @return the peer's address, or null if the OS no longer knows it
     */
    public SocketAddress remoteAddress() {
        return tcp.remoteAddress();
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
        return "TlsConnection[" + (tcp == null ? "connecting" : tcp.remoteAddress()) + ", "
                + (closed ? "closed" : closing ? "closing" : opened ? "open" : "handshaking") + "]";
    }

    // ------------------------------------------------------------------ engine

    /** The TCP connection is up: start the handshake (a client sends its ClientHello now). */
    private void started(TcpConnection connection) {
        tcp = connection;
        EventLoop loop = connection.loop();
        buffers = TlsLoopBuffers.of(loop);
        handshakeStart = loop.now();
        handshakeTimer = loop.schedule(config.handshakeTimeout(), this::handshakeTimedOut);
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            fail(classify(e), "cannot start the handshake", e);
            return;
        }
        receive(EMPTY);
    }

    /**
     * Drives the engine with the records in {@code records} (consumed as far as they go; TCP keeps
     * the rest and hands it back with more): answers handshake messages, starts delegated tasks,
     * delivers plaintext, until it needs more bytes, reading pauses, or the connection closes.
     */
    private void receive(ByteBuffer records) {
        while (!closing) {
            HandshakeStatus status = engine.getHandshakeStatus();
            if (renegotiable && status != HandshakeStatus.NOT_HANDSHAKING && !engine.isInboundDone() && !engine.isOutboundDone()) {
                // (a closing TLS 1.2 engine wants to send or read close_notify: that is no new handshake)
                fail(TlsFailure.RENEGOTIATION, "the peer tried to renegotiate the TLS 1.2 session; renegotiation is refused", null);
                return;
            }
            if (status == HandshakeStatus.NEED_WRAP) {
                if (!wrap(EMPTY, null)) {
                    return;
                }
                continue;
            }
            if (status == HandshakeStatus.NEED_TASK) {
                runDelegatedTasks();
                return;
            }
            if (!opened && status == HandshakeStatus.NOT_HANDSHAKING) {
                handshakeFinished();
                continue;
            }
            if (tasksRunning || readPaused && opened || !records.hasRemaining() || !unwrap(records)) {
                return;
            }
        }
    }

    /** Unwraps one record; returns whether to go on. */
    private boolean unwrap(ByteBuffer records) {
        ByteBuffer plaintext = buffers.plaintext.clear();
        SSLEngineResult result;
        try {
            result = engine.unwrap(records, plaintext);
        } catch (SSLException e) {
            fail(classify(e), "cannot read what the peer sent", e);
            return false;
        }
        plaintext.flip();
        switch (result.getStatus()) {
            case BUFFER_UNDERFLOW -> {
                return false; // a partial record: TCP keeps it and hands it back with the rest
            }
            case BUFFER_OVERFLOW -> {
                fail(TlsFailure.BAD_RECORD, "a record holds more than " + plaintext.capacity() + " bytes of plaintext", null);
                return false;
            }
            case CLOSED -> {
                if (opened) {
                    handler.onInputClosed(this);
                } else {
                    fail(TlsFailure.HANDSHAKE_ABORTED, "the peer sent close_notify during the handshake", null);
                }
                return false;
            }
            default -> {
            }
        }
        if (result.getHandshakeStatus() == HandshakeStatus.FINISHED && !opened) {
            handshakeFinished();
        }
        if (plaintext.hasRemaining() && !closing) {
            deliver(plaintext);
        }
        return true;
    }

    /**
     * Encrypts {@code data} into records and queues them on TCP, the last with {@code completion};
     * with empty {@code data}, wraps the handshake messages the engine has to send: until the
     * handshake is finished, the whole flight. The records are gathered in the loop's buffer as long
     * as the next one fits and queued together (one TCP write, so one system call where TCP writes
     * at once: a flight of ServerHello, ChangeCipherSpec and the encrypted messages, or two full
     * records of a large write). Nothing stays gathered across a call out of this method, so a
     * handler this calls (onOpen, onWritabilityChanged) may write. Returns false if the engine
     * closed or failed.
     */
    private boolean wrap(ByteBuffer data, WriteCompletion completion) {
        ByteBuffer records = buffers.records.clear();
        while (true) {
            SSLEngineResult result;
            try {
                result = engine.wrap(data, records);
            } catch (SSLException e) {
                queue(records, null, false); // what was gathered before goes out ahead of the alert
                fail(classify(e), "cannot encrypt", e);
                failCompletion(completion);
                return false;
            }
            SSLEngineResult.Status status = result.getStatus();
            if (status == SSLEngineResult.Status.BUFFER_OVERFLOW && records.position() > 0) {
                // the next record does not fit behind the gathered ones: queue them, then go on
                if (!queue(records, completion, false)) {
                    return false;
                }
                records.clear();
                continue;
            }
            boolean finished = result.getHandshakeStatus() == HandshakeStatus.FINISHED && !opened;
            boolean stuck = result.bytesConsumed() == 0 && result.bytesProduced() == 0;
            if (stuck && data.hasRemaining()) {
                queue(records, null, false);
                fail(TlsFailure.PROTOCOL, "the engine took no data while " + result.getHandshakeStatus(), null);
                failCompletion(completion);
                return false;
            }
            boolean flight = !opened && !finished && result.getHandshakeStatus() == HandshakeStatus.NEED_WRAP;
            if (!stuck && status == SSLEngineResult.Status.OK && (data.hasRemaining() || flight)) {
                continue; // more records to gather
            }
            if (!queue(records, completion, !data.hasRemaining())) {
                return false;
            }
            if (status == SSLEngineResult.Status.CLOSED) {
                return false;
            }
            if (finished) {
                handshakeFinished();
            }
            return true;
        }
    }

    /**
     * Queues the gathered {@code records} (write mode) on TCP, with {@code completion} when they
     * are the {@code last} of its write. Returns false if TCP closed (the flush of an earlier write
     * met an error, a reset): nothing more goes out, and {@code completion} is told so.
     */
    private boolean queue(ByteBuffer records, WriteCompletion completion, boolean last) {
        records.flip();
        if (!tcp.isOpen()) {
            if (completion != null) {
                completion.completed(new IOException("the connection closed before this write was sent"));
            }
            return false;
        }
        if (last && completion != null) {
            tcp.write(records, completion);
        } else if (records.hasRemaining()) {
            tcp.write(records);
        }
        return true;
    }

    /** Tells a write's completion that its bytes never went out (the engine failed before they were queued). */
    private void failCompletion(WriteCompletion completion) {
        if (completion != null) {
            completion.completed(failure);
        }
    }

    /**
     * Hands the engine's tasks to the executor. TCP goes on reading meanwhile (no poller change for
     * the common case, a peer that waits for our answer); records that arrive are kept by TCP, which
     * is paused then (see {@link #received}) until the tasks are done.
     */
    private void runDelegatedTasks() {
        tasksRunning = true;
        try {
            config.delegatedTaskExecutor().execute(this::runTasksOffLoop);
        } catch (RejectedExecutionException e) {
            tasksRunning = false;
            fail(TlsFailure.PROTOCOL, "the delegated task executor rejected the handshake's tasks", e);
        }
    }

    /** On the executor: runs the engine's tasks, then goes back to the loop. */
    private void runTasksOffLoop() {
        try {
            for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                task.run();
            }
        } finally {
            try {
                tcp.loop().execute(this::tasksDone);
            } catch (RejectedExecutionException loopClosed) {
                // the loop closed, and this connection with it
            }
        }
    }

    private void tasksDone() {
        tasksRunning = false;
        if (closing) {
            return;
        }
        guarded(() -> {
            syncTcpReading();
            receive(EMPTY);
        });
    }

    /**
     * Runs {@code work}, which may call the handler, outside one of TCP's handler calls: what the
     * handler throws aborts this connection, then goes on to the loop's exception handler, as
     * TCP does for its own calls.
     */
    private void guarded(Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            if (!closed) {
                closing = true;
                if (localError == null && failure == null) {
                    localError = e;
                }
                tcp.abort();
            }
            throw e;
        }
    }

    private void syncTcpReading() {
        boolean pause = readPaused || tasksRunning;
        if (pause != tcp.isReadingPaused()) {
            if (pause) {
                tcp.pauseReading();
            } else {
                tcp.resumeReading();
            }
        }
    }

    private void handshakeFinished() {
        opened = true;
        renegotiable = !engine.getSession().getProtocol().equals("TLSv1.3");
        cancelHandshakeTimer();
        buffers.stats.handshakeCompleted(tcp.loop().now() - handshakeStart);
        try {
            handler.onOpen(this);
        } catch (RuntimeException e) {
            if (connected != null) {
                connected.completeExceptionally(e);
            }
            throw e;
        }
        if (connected != null) {
            connected.complete(this);
        }
    }

    /** Hands plaintext to the handler, after what it left unconsumed before; keeps what it leaves now. */
    private void deliver(ByteBuffer plaintext) {
        ByteBuffer data = plaintext;
        if (plaintextLeft != null) {
            data = appendToLeft(plaintext);
            if (data == null) {
                return;
            }
        }
        gatherWritesDuring(data);
        if (!data.hasRemaining()) {
            plaintextLeft = null;
        } else if (data != plaintextLeft) {
            plaintextLeft = ByteBuffer.allocate(Math.max(2 * data.remaining(), 4096)).put(data).flip();
        }
    }

    /**
     * Calls the handler's onRead with the loop's gathering buffer in place, then encrypts what it
     * wrote. Another connection's handler running inside this one (it cannot, today: TCP calls
     * are not nested) would write at once, as the buffer is taken.
     */
    private void gatherWritesDuring(ByteBuffer data) {
        if (buffers.gathering) {
            handler.onRead(this, data);
            return;
        }
        buffers.gathering = true;
        gathered = buffers.writes.clear();
        boolean returned = false;
        try {
            handler.onRead(this, data);
            returned = true;
        } finally {
            if (returned && !closing) {
                encryptGathered();
            }
            gathered = null;
            buffers.gathering = false;
        }
    }

    private ByteBuffer appendToLeft(ByteBuffer plaintext) {
        ByteBuffer left = plaintextLeft;
        if (left.capacity() - left.limit() < plaintext.remaining()) {
            int needed = left.remaining() + plaintext.remaining();
            int max = tcp.options().maxInboundBuffer();
            if (needed > max) {
                closing = true;
                localError = new IOException("the handler left " + left.remaining() + " bytes of plaintext unconsumed"
                        + " and " + plaintext.remaining() + " more arrived, past maxInboundBuffer " + max + "; closing");
                tcp.abort();
                return null;
            }
            left = ByteBuffer.allocate(Math.min(Math.max(2 * needed, 4096), max)).put(left).flip();
        }
        int start = left.position();
        left.position(left.limit()).limit(left.capacity());
        left.put(plaintext).flip().position(start);
        plaintextLeft = left;
        return left;
    }

    private void redeliverPlaintext() {
        if (!closing && !readPaused && plaintextLeft != null) {
            guarded(() -> deliver(plaintextLeft));
        }
    }

    /** Records from TCP: unwraps them, then judges an end of stream TCP read after them. */
    private void received(ByteBuffer records) {
        receive(records);
        recordsHeld = records.hasRemaining() && (readPaused || tasksRunning);
        if (recordsHeld) {
            syncTcpReading(); // records arrived while tasks run: TCP keeps them and stops reading until they are done
        }
        if (tcpEnded) {
            endOfStream();
        }
    }

    /**
     * TCP's end of stream: fine after close_notify; otherwise a truncation or an aborted handshake.
     * While TCP still holds records for this connection (reading paused with records unread, and
     * TCP read the FIN when it resumed, before handing them back), the verdict waits for them: the
     * close_notify may be among them.
     */
    private void endOfStream() {
        tcpEnded = true;
        if (engine.isInboundDone() || closing || recordsHeld) {
            return;
        }
        if (opened) {
            fail(TlsFailure.TRUNCATION, "the peer closed TCP without close_notify: what it sent may be cut short", null);
        } else {
            fail(TlsFailure.HANDSHAKE_ABORTED, "the peer closed the connection during the handshake", null);
        }
    }

    private void handshakeTimedOut() {
        handshakeTimer = null;
        if (!opened && !closing) {
            fail(TlsFailure.HANDSHAKE_TIMEOUT, "the handshake did not finish within " + config.handshakeTimeout(), null);
        }
    }

    private void abortHandshake() {
        if (tcp != null && !opened && !closing) {
            closing = true;
            tcp.abort();
        }
    }

    /** TLS failed: count it, send the engine's alert if it has one, close TCP; onClose reports it. */
    private void fail(TlsFailure kind, String message, Throwable cause) {
        if (closing) {
            return;
        }
        closing = true;
        failure = new TlsFailureException(kind, message, cause);
        buffers.stats.failed(kind);
        cancelHandshakeTimer();
        engine.closeOutbound();
        try {
            ByteBuffer alert = buffers.records.clear();
            engine.wrap(EMPTY, alert);
            if (alert.flip().hasRemaining()) {
                tcp.write(alert);
            }
        } catch (SSLException | RuntimeException noAlert) {
            // the engine has nothing more to say; close without an alert
        }
        tcp.close();
    }

    private void cancelHandshakeTimer() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
            handshakeTimer = null;
        }
    }

    private void closed(CloseReason reason, Throwable cause) {
        closing = true;
        closed = true;
        cancelHandshakeTimer();
        plaintextLeft = null;
        if (tcp != null && !opened && failure == null && (reason == CloseReason.RESET || reason == CloseReason.ERROR)) {
            failure = new TlsFailureException(TlsFailure.HANDSHAKE_ABORTED, "the connection failed during the handshake", cause);
            buffers.stats.failed(TlsFailure.HANDSHAKE_ABORTED);
        }
        Throwable ours = failure != null ? failure : localError;
        Throwable reported = ours != null ? ours : cause;
        if (connected != null && !connected.isDone()) {
            connected.completeExceptionally(reported != null ? reported
                    : new IOException("connection closed (" + reason + ") before the TLS handshake finished"));
        }
        handler.onClose(this, ours != null ? CloseReason.ERROR : reason, reported);
    }

    /** Sorts the engine's exception into a {@link TlsFailure}. */
    static TlsFailure classify(SSLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException || t instanceof CertPathValidatorException
                    || t instanceof SSLPeerUnverifiedException) {
                return TlsFailure.CERTIFICATE;
            }
        }
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("unsupported or unrecognized ssl message") || message.contains("plaintext")) {
            return TlsFailure.NOT_TLS;
        }
        if (message.contains("certificate") || message.contains("unknown_ca") || message.contains("pkix")) {
            return TlsFailure.CERTIFICATE;
        }
        if (message.contains("record") || message.contains("tag mismatch") || message.contains("bad_record_mac")) {
            return TlsFailure.BAD_RECORD;
        }
        return TlsFailure.PROTOCOL;
    }

    private void checkLoop(String what) {
        if (tcp == null || !tcp.loop().inLoop()) {
            throw new IllegalStateException("TlsConnection." + what + "() must be called on the connection's loop thread"
                    + " after it opened; hand it over with loop.execute(...)");
        }
    }

    /**
     * What the TCP connection tells: drives the engine. Also the task that hands the handler the
     * plaintext it left unconsumed once reading resumes (one object for both: an idle connection
     * keeps one less).
     */
    private final class Transport implements ConnectionHandler, Runnable {
        @Override
        public void run() {
            redeliverPlaintext();
        }

        @Override
        public void onOpen(TcpConnection connection) {
            started(connection);
        }

        @Override
        public void onRead(TcpConnection connection, ByteBuffer data) {
            received(data);
        }

        @Override
        public void onWritabilityChanged(TcpConnection connection, boolean writable) {
            if (opened && !closing) {
                handler.onWritabilityChanged(TlsConnection.this, writable);
            }
        }

        @Override
        public void onInputClosed(TcpConnection connection) {
            endOfStream();
        }

        @Override
        public void onClose(TcpConnection connection, CloseReason reason, Throwable cause) {
            closed(reason, cause);
        }

        @Override
        public String toString() {
            return "TLS connection handled by " + handler.getClass().getName();
        }
    }
}
