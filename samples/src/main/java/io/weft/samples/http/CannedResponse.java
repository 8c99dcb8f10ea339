package io.weft.samples.http;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A response whose bytes are built once, at startup: the status line and headers in the three
 * connection variants a request may need, and the body. Sending one copies bytes and allocates
 * nothing. Immutable and safe to share between loops.
 */
public final class CannedResponse {
    final byte[] headKeepAlive11;
    final byte[] headKeepAlive10;
    final byte[] headClose;
    final byte[] body;
    private final int status;

    private CannedResponse(int status, byte[] headKeepAlive11, byte[] headKeepAlive10, byte[] headClose, byte[] body) {
        this.status = status;
        this.headKeepAlive11 = headKeepAlive11;
        this.headKeepAlive10 = headKeepAlive10;
        this.headClose = headClose;
        this.body = body;
    }

    /**
     * A response with this status, content type and body, plus any extra header lines (each
     * {@code "Name: value"}, without CRLF). {@code Content-Length} is always sent, for HEAD too.
     */
    public static CannedResponse of(int status, String reason, String contentType, String body, String... extraHeaders) {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(contentType, "contentType");
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(128)
                .append(statusLine(status, reason))
                .append("Server: weft\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(bodyBytes.length).append("\r\n");
        for (String header : extraHeaders) {
            if (header.indexOf('\r') >= 0 || header.indexOf('\n') >= 0 || header.indexOf(':') < 1) {
                throw new IllegalArgumentException("a header line is 'Name: value' without CR or LF, got '" + header + "'");
            }
            head.append(header).append("\r\n");
        }
        return new CannedResponse(status,
                Ascii.bytes(head.toString()),
                Ascii.bytes(head + "Connection: keep-alive\r\n"),
                Ascii.bytes(head + "Connection: close\r\n"),
                bodyBytes);
    }

    static String statusLine(int status, String reason) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status must have three digits, got " + status);
        }
        return "HTTP/1.1 " + status + " " + reason + "\r\n";
    }

    /** The status code. */
    public int status() {
        return status;
    }
}
