package io.weft.samples.http;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.net.TcpConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes a response to the connection a request came on, adding what the request decides: the
 * {@code Connection} header (close, or keep-alive for HTTP/1.0), the {@code Date}, and the body
 * unless the request was HEAD. One per connection, loop thread only.
 *
 * <p>A response is assembled in the loop's scratch buffer and handed to {@link
 * TcpConnection#write} in one piece; the connection copies it, so canned responses cost no
 * allocation, and the responses to a pipelined batch go out in one gather write.
 */
public final class Responder {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] CONTINUE = Ascii.bytes("HTTP/1.1 100 Continue\r\n\r\n");
    private static final byte[] NO_BODY = new byte[0];

    private final TcpConnection connection;
    private final LoopState loopState;
    private boolean head;
    private boolean keepAlive;
    private int minorVersion;

    Responder(TcpConnection connection) {
        this.connection = connection;
        this.loopState = LoopState.of(connection.loop());
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
        connection.write(scratch.put(CONTINUE).flip());
    }

    private void write(byte[] headBytes, byte[] body) {
        byte[] date = loopState.date.line(System.currentTimeMillis());
        ByteBuffer scratch = loopState.scratch.clear();
        if (headBytes.length + date.length + CRLF.length > scratch.capacity()) {
            connection.write(ByteBuffer.wrap(headBytes));
        } else {
            scratch.put(headBytes);
        }
        scratch.put(date).put(CRLF);
        if (body.length <= scratch.remaining()) {
            connection.write(scratch.put(body).flip());
        } else {
            connection.write(scratch.flip());
            connection.write(ByteBuffer.wrap(body));
        }
    }

    /** What responses on one loop share: the scratch buffer and the cached date. Loop thread only. */
    static final class LoopState {
        final ByteBuffer scratch = ByteBuffer.allocate(4096);
        final HttpDate date = new HttpDate();

        static LoopState of(EventLoop loop) {
            return loop.localState(LoopState.class, l -> new LoopState());
        }
    }
}
