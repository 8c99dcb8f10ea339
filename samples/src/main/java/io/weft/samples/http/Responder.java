package io.weft.samples.http;

import io.weft.loop.core.EventLoop;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes a response to the connection a request came on, adding what the request decides: the
 * {@code Connection} header (close, or keep-alive for HTTP/1.0), the {@code Date}, and the body
 * unless the request was HEAD. One per connection, loop thread only.
 *
 * <p>A response is assembled in the loop's scratch buffer and handed to {@link
 * io.weft.loop.core.net.TcpConnection#write} in one piece; the connection copies it, so canned responses cost no
 * allocation, and the responses to a pipelined batch go out in one gather write.
 *
 * <p>The blocking style ({@link VirtualThreadHttpServer}) writes the same bytes into a connection's
 * buffered output stream instead ({@link #forStream}), with a scratch buffer of its own: a virtual
 * thread may park inside a write, and another one on the same loop must not reuse the buffer then.
 */
public final class Responder {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] CONTINUE = Ascii.bytes("HTTP/1.1 100 Continue\r\n\r\n");
    private static final byte[] NO_BODY = new byte[0];

    private final Sink sink;
    private final LoopState loopState;
    private boolean head;
    private boolean keepAlive;
    private int minorVersion;

    /** Where the bytes go: consumes the buffer entirely, or throws. */
    interface Sink {
        void write(ByteBuffer bytes);
    }

    /** A responder that writes to a connection on {@code loop} through {@code connection}'s write. */
    Responder(Sink connection, io.weft.loop.core.EventLoop loop) {
        this(connection, LoopState.of(loop));
    }

    private Responder(Sink sink, LoopState loopState) {
        this.sink = sink;
        this.loopState = loopState;
    }

    /**
     * A responder that writes into {@code out} (a buffered stream, flushed by the caller); a failed
     * write throws {@link UncheckedIOException}. One per connection, used by one thread at a time.
     */
    static Responder forStream(OutputStream out) {
        return new Responder(bytes -> {
            try {
                out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            bytes.position(bytes.limit());
        }, new LoopState());
    }

    /** Sets what the next response depends on. */
    void prepare(boolean headRequest, boolean keepAliveAfter, int minor) {
        this.head = headRequest;
        this.keepAlive = keepAliveAfter;
        this.minorVersion = minor;
    }

    /** Sends a canned response; allocates nothing. */
    public void send(CannedResponse response) {
        byte[] headBytes = !keepAlive ? response.headClose
                : minorVersion == 0 ? response.headKeepAlive10 : response.headKeepAlive11;
        write(headBytes, head ? NO_BODY : response.body);
    }

    /**
     * Sends a response built now (for bodies that change, such as a metrics page); allocates the
     * head. {@code Content-Length} is the body's length, also for HEAD.
     */
    public void send(int status, String reason, String contentType, byte[] body) {
        String headText = CannedResponse.statusLine(status, reason)
                + "Server: weft\r\n"
                + "Content-Type: " + contentType + "\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + (!keepAlive ? "Connection: close\r\n" : minorVersion == 0 ? "Connection: keep-alive\r\n" : "");
        write(headText.getBytes(StandardCharsets.US_ASCII), head ? NO_BODY : body);
    }

    /** The interim {@code 100 Continue} (RFC 9110 section 10.1.1), for a client waiting to send its body. */
    void sendContinue() {
        ByteBuffer scratch = loopState.scratch.clear();
        sink.write(scratch.put(CONTINUE).flip());
    }

    private void write(byte[] headBytes, byte[] body) {
        byte[] date = loopState.date.line(System.currentTimeMillis());
        ByteBuffer scratch = loopState.scratch.clear();
        if (headBytes.length + date.length + CRLF.length > scratch.capacity()) {
            sink.write(ByteBuffer.wrap(headBytes));
        } else {
            scratch.put(headBytes);
        }
        scratch.put(date).put(CRLF);
        if (body.length <= scratch.remaining()) {
            sink.write(scratch.put(body).flip());
        } else {
            sink.write(scratch.flip());
            sink.write(ByteBuffer.wrap(body));
        }
    }

    /**
     * What responses on one loop share: the scratch buffer and the cached date. Loop thread only;
     * or one per connection ({@link #forStream}).
     */
    static final class LoopState {
        /** One per loop thread: a loop is one thread, and only that thread writes its responses. */
        private static final ThreadLocal<LoopState> ON_LOOP_THREAD = ThreadLocal.withInitial(LoopState::new);

        final ByteBuffer scratch = ByteBuffer.allocate(4096);
        final HttpDate date = new HttpDate();

        /** The state of {@code loop}; on its thread only. */
        static LoopState of(EventLoop loop) {
            if (!loop.inLoop()) {
                throw new IllegalStateException("a responder of loop '" + loop.name() + "' is made on its thread, not on '"
                        + Thread.currentThread().getName() + "'");
            }
            return ON_LOOP_THREAD.get();
        }
    }
}
